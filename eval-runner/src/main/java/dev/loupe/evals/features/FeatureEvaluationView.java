package dev.loupe.evals.features;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/**
 * A feature's effective evaluation settings; {@code source} says whether they are its own or the defaults.
 * {@code activity} (GET only) says what the evaluators did with the feature's decisions of the last hour, and
 * {@code warnings} (PUT only) which of the new evaluators would have applied to none of them.
 */
@RegisterForReflection
public record FeatureEvaluationView(
        String feature,
        String source,
        double samplingRate,
        int maxPerMinute,
        boolean includeErrors,
        boolean includeTruncated,
        List<EvaluatorSpec> evaluators,
        Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) FeatureActivity.Activity activity,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> warnings) {
    public static final String OWN = "feature";
    public static final String DEFAULTS = "default";

    public FeatureEvaluationView withActivity(FeatureActivity.Activity value) {
        return new FeatureEvaluationView(
                feature,
                source,
                samplingRate,
                maxPerMinute,
                includeErrors,
                includeTruncated,
                evaluators,
                updatedAt,
                value,
                warnings);
    }

    public FeatureEvaluationView withWarnings(List<String> value) {
        return new FeatureEvaluationView(
                feature,
                source,
                samplingRate,
                maxPerMinute,
                includeErrors,
                includeTruncated,
                evaluators,
                updatedAt,
                activity,
                value);
    }
}
