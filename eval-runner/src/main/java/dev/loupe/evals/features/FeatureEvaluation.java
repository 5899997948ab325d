package dev.loupe.evals.features;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * How one feature is evaluated: the body of {@code PUT /v1/features/{feature}/evaluation} and what is stored.
 * Absent fields take the configured defaults.
 */
@RegisterForReflection
public record FeatureEvaluation(
        Double samplingRate,
        Integer maxPerMinute,
        Boolean includeErrors,
        Boolean includeTruncated,
        List<EvaluatorSpec> evaluators) {}
