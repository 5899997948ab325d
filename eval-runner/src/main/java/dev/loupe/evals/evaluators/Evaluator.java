package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One kind of evaluator (`json_valid`, `regex_absent`, `llm_judge`…): its identity, the JSON Schema of its
 * {@code config}, and how a feature's config for it is compiled into a {@link Check}. Compiling is where
 * bad config is refused (an invalid regex, a schema that does not compile), so a feature can never hold a
 * configuration that fails at evaluation time.
 */
public interface Evaluator {
    /** The name in {@code EvalResult.evaluator} and in feature configs, snake_case. */
    String name();

    /** Bumped whenever the same config and decision could score differently; part of the result's identity. */
    String version();

    /** One line for {@code GET /v1/evaluators}. */
    String description();

    /** A JSON Schema (draft 2020-12) describing {@code config}; shown by {@code GET /v1/evaluators}. */
    JsonNode configSchema();

    /** The pass threshold when the feature config gives none: {@code passed = score >= threshold}. */
    double defaultThreshold();

    /** {@code false} only for evaluators that call out (the LLM judge): they never run on the consumer's path. */
    default boolean deterministic() {
        return true;
    }

    /**
     * Validates {@code config} (never null: an absent config is an empty object) and returns the check to run.
     *
     * @throws InvalidConfigException naming the offending config field
     */
    Check compile(JsonNode config);
}
