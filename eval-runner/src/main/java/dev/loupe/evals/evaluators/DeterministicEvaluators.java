package dev.loupe.evals.evaluators;

import java.util.List;

/** The evaluators that need nothing but the decision itself, in the order {@code GET /v1/evaluators} lists them. */
public final class DeterministicEvaluators {
    private static final List<Evaluator> ALL = List.of(
            new JsonValidEvaluator(),
            new JsonSchemaEvaluator(),
            RegexEvaluator.match(),
            RegexEvaluator.absent(),
            ContainsEvaluator.all(),
            ContainsEvaluator.none(),
            new LengthBetweenEvaluator(),
            MatchEvaluator.exact(),
            MatchEvaluator.normalized(),
            new ReferenceMatchEvaluator(),
            new PiiLeakEvaluator(),
            new RefusalEvaluator(),
            new GroundedInRetrievalEvaluator(),
            new LatencyBudgetEvaluator(),
            new CostBudgetEvaluator());

    private DeterministicEvaluators() {}

    /** Every deterministic evaluator, in a stable order; the instances are stateless and shared. */
    public static List<Evaluator> all() {
        return ALL;
    }
}
