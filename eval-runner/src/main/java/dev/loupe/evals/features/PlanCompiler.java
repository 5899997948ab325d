package dev.loupe.evals.features;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.EvalsConfig;
import dev.loupe.evals.evaluators.Evaluator;
import dev.loupe.evals.evaluators.EvaluatorCatalog;
import dev.loupe.evals.evaluators.InvalidConfigException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates a feature's evaluation settings and compiles them into a plan. Every problem is reported at
 * once, each naming its field ({@code evaluators[1].config.pattern}), so a bad regex or schema is refused
 * when it is set, never discovered while evaluating.
 */
@Singleton
public class PlanCompiler {
    static final int MAX_EVALUATORS = 32;
    static final int MAX_PER_MINUTE = 1_000_000;

    private static final TypeReference<List<EvaluatorSpec>> SPECS = new TypeReference<>() {};

    private final EvaluatorCatalog catalog;
    private final EvalsConfig config;
    private final List<EvaluatorSpec> defaultSpecs;

    public PlanCompiler(EvaluatorCatalog catalog, EvalsConfig config) {
        this.catalog = catalog;
        this.config = config;
        try {
            this.defaultSpecs = EventJson.mapper().readValue(config.defaultEvaluators(), SPECS);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "loupe.evals.default-evaluators is not a JSON array of evaluators: " + e.getMessage(), e);
        }
        // refuse a broken default set at start-up rather than on the first decision
        compile(
                PlanKey.of("", ""),
                new FeatureEvaluation(null, null, null, null, null),
                FeatureEvaluationView.DEFAULTS,
                null);
    }

    /** Compiles {@code input}, filling absent fields (the evaluator set included) with the defaults; throws a 400 problem listing every error. */
    public EvaluationPlan compile(PlanKey key, FeatureEvaluation input, String source, Instant updatedAt) {
        List<Problem.FieldError> errors = new ArrayList<>();
        double rate = config.samplingRate();
        if (input.samplingRate() != null) {
            rate = input.samplingRate();
            if (!(rate >= 0 && rate <= 1)) {
                errors.add(new Problem.FieldError("samplingRate", "must be within 0..1, was " + input.samplingRate()));
            }
        }
        int cap = config.maxPerMinute();
        if (input.maxPerMinute() != null) {
            cap = input.maxPerMinute();
            if (cap < 1 || cap > MAX_PER_MINUTE) {
                errors.add(
                        new Problem.FieldError("maxPerMinute", "must be within 1.." + MAX_PER_MINUTE + ", was " + cap));
            }
        }
        List<EvaluatorSpec> specs = input.evaluators() == null ? defaultSpecs : input.evaluators();
        if (specs.size() > MAX_EVALUATORS) {
            errors.add(new Problem.FieldError("evaluators", "at most " + MAX_EVALUATORS + " evaluators per feature"));
        }
        List<PlannedEvaluator> planned = new ArrayList<>();
        List<EvaluatorSpec> normalized = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < specs.size() && i < MAX_EVALUATORS; i++) {
            String at = "evaluators[" + i + "]";
            EvaluatorSpec spec = specs.get(i);
            if (spec == null || spec.name() == null || spec.name().isBlank()) {
                errors.add(new Problem.FieldError(
                        at + ".name", "is required; known: " + String.join(", ", catalog.names())));
                continue;
            }
            Evaluator evaluator = catalog.find(spec.name()).orElse(null);
            if (evaluator == null) {
                errors.add(new Problem.FieldError(
                        at + ".name",
                        "unknown evaluator '" + spec.name() + "'; known: " + String.join(", ", catalog.names())));
                continue;
            }
            if (!seen.add(spec.name())) {
                errors.add(new Problem.FieldError(at + ".name", spec.name() + " appears twice in this feature"));
                continue;
            }
            double threshold = spec.threshold() == null ? evaluator.defaultThreshold() : spec.threshold();
            if (!(threshold >= 0 && threshold <= 1)) {
                errors.add(new Problem.FieldError(at + ".threshold", "must be within 0..1, was " + spec.threshold()));
                continue;
            }
            JsonNode evaluatorConfig = spec.config() == null || spec.config().isNull()
                    ? JsonNodeFactory.instance.objectNode()
                    : spec.config();
            if (!evaluatorConfig.isObject()) {
                errors.add(new Problem.FieldError(at + ".config", "must be a JSON object"));
                continue;
            }
            if (evaluatorConfig.toString().contains("\\u0000")) {
                // PostgreSQL cannot store NUL in jsonb: refuse it here rather than fail when saving
                errors.add(new Problem.FieldError(at + ".config", "must not contain the NUL character"));
                continue;
            }
            try {
                planned.add(new PlannedEvaluator(
                        evaluator, evaluatorConfig, threshold, evaluator.compile(evaluatorConfig)));
                normalized.add(new EvaluatorSpec(spec.name(), evaluatorConfig, threshold));
            } catch (InvalidConfigException e) {
                String field = e.field() == null || e.field().isEmpty() ? at + ".config" : at + ".config." + e.field();
                errors.add(new Problem.FieldError(field, e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        boolean includeErrors = input.includeErrors() == null || input.includeErrors();
        boolean includeTruncated = input.includeTruncated() == null || input.includeTruncated();
        return new EvaluationPlan(
                key,
                source,
                rate,
                cap,
                includeErrors,
                includeTruncated,
                List.copyOf(planned),
                List.copyOf(normalized),
                updatedAt);
    }

    /** The settings stored for a plan, every default filled in. */
    public static FeatureEvaluation stored(EvaluationPlan plan) {
        return new FeatureEvaluation(
                plan.samplingRate(), plan.maxPerMinute(), plan.includeErrors(), plan.includeTruncated(), plan.specs());
    }
}
