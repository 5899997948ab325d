package dev.loupe.evals.features;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/** A feature's effective evaluation settings; {@code source} says whether they are its own or the defaults. */
@RegisterForReflection
public record FeatureEvaluationView(
        String feature,
        String source,
        double samplingRate,
        int maxPerMinute,
        boolean includeErrors,
        boolean includeTruncated,
        List<EvaluatorSpec> evaluators,
        Instant updatedAt) {
    public static final String OWN = "feature";
    public static final String DEFAULTS = "default";
}
