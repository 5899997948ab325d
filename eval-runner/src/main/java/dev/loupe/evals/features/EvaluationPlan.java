package dev.loupe.evals.features;

import java.time.Instant;
import java.util.List;

/** A feature's settings compiled for the hot path: sampling rules and ready-to-run evaluators. */
public record EvaluationPlan(
        PlanKey key,
        String source,
        double samplingRate,
        int maxPerMinute,
        boolean includeErrors,
        boolean includeTruncated,
        List<PlannedEvaluator> evaluators,
        List<EvaluatorSpec> specs,
        Instant updatedAt) {

    public FeatureEvaluationView view() {
        return new FeatureEvaluationView(
                key.feature(),
                source,
                samplingRate,
                maxPerMinute,
                includeErrors,
                includeTruncated,
                specs,
                updatedAt,
                null,
                null);
    }
}
