package dev.loupe.evals.judge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.evaluators.Check;
import dev.loupe.evals.evaluators.DescribedEvaluator;
import dev.loupe.evals.evaluators.InvalidConfigException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * {@code llm_judge}: a rubric sent with the decision to an OpenAI-compatible model, which answers a strict
 * JSON score. It never runs on the consumer's path: the pipeline queues it for {@link JudgeWorker}.
 */
@Singleton
public class LlmJudgeEvaluator extends DescribedEvaluator {
    public static final String NAME = "llm_judge";
    static final int MAX_RUBRIC = 8_000;
    private static final Set<String> FIELDS = Set.of("rubric", "model");
    private static final JsonNode SCHEMA = parse("""
            {"type": "object", "additionalProperties": false, "required": ["rubric"],
             "properties": {
               "rubric": {"type": "string", "minLength": 1, "maxLength": 8000,
                          "description": "What a good answer is; the judge scores the decision against it from 0 to 1"},
               "model": {"type": "string", "description": "Judge model; default loupe.judge.model"}}}""");

    public LlmJudgeEvaluator() {
        super(
                NAME,
                "1",
                "An LLM scores the output against a rubric (OpenAI-compatible chat completions; strict JSON "
                        + "answer)",
                SCHEMA,
                0.5);
    }

    /** A judge config, compiled: what the worker sends. */
    public record JudgeCheck(String rubric, String model) implements Check {
        @Override
        public dev.loupe.evals.evaluators.Verdict score(
                dev.loupe.contracts.events.DecisionRecord decision, String reference) {
            throw new UnsupportedOperationException("llm_judge runs through the judge queue, not inline");
        }
    }

    @Override
    public boolean deterministic() {
        return false;
    }

    @Override
    public JudgeCheck compile(JsonNode config) {
        for (Iterator<String> names = config.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidConfigException(name, "unknown field; known: rubric, model");
            }
        }
        JsonNode rubric = config.get("rubric");
        if (rubric == null || !rubric.isTextual() || rubric.asText().isBlank()) {
            throw new InvalidConfigException("rubric", "is required: what a good answer is");
        }
        if (rubric.asText().length() > MAX_RUBRIC) {
            throw new InvalidConfigException("rubric", "at most " + MAX_RUBRIC + " characters");
        }
        JsonNode model = config.get("model");
        if (model != null && (!model.isTextual() || model.asText().isBlank())) {
            throw new InvalidConfigException("model", "must be a non-empty string");
        }
        return new JudgeCheck(rubric.asText(), model == null ? null : model.asText());
    }

    private static JsonNode parse(String json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
