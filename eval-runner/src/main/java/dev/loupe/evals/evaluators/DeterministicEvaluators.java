package dev.loupe.evals.evaluators;

import java.util.List;

/** Placeholder until the deterministic evaluators land (replaced by the evaluators branch). */
public final class DeterministicEvaluators {
    private DeterministicEvaluators() {
    }

    public static List<Evaluator> all() {
        return List.of();
    }
}
