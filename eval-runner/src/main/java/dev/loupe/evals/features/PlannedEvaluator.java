package dev.loupe.evals.features;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.evals.evaluators.Check;
import dev.loupe.evals.evaluators.Evaluator;

/** An evaluator of a plan, compiled, with the threshold its score is held against. */
public record PlannedEvaluator(Evaluator evaluator, JsonNode config, double threshold, Check check) {
    public String name() {
        return evaluator.name();
    }

    public String version() {
        return evaluator.version();
    }
}
