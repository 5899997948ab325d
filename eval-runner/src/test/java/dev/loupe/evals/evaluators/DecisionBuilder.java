package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Builds the DecisionRecords the evaluator tests score: a successful decision unless told otherwise. */
final class DecisionBuilder {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private String output;
    private JsonNode parsedOutput;
    private String parseError;
    private Outcome status = Outcome.SUCCESS;
    private String errorType;
    private Map<String, Integer> redactions = Map.of();
    private List<RetrievalResult> retrievalResults;
    private Long latencyMs;
    private BigDecimal costUsd;

    static DecisionBuilder decision() {
        return new DecisionBuilder();
    }

    /** A successful decision whose output is {@code text}. */
    static DecisionRecord answer(String text) {
        return decision().output(text).build();
    }

    /** Config and parsed output are written as JSON text in the tests; single quotes stand for double ones. */
    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    DecisionBuilder output(String output) {
        this.output = output;
        return this;
    }

    DecisionBuilder parsedOutput(JsonNode parsedOutput) {
        this.parsedOutput = parsedOutput;
        return this;
    }

    DecisionBuilder parseError(String parseError) {
        this.parseError = parseError;
        return this;
    }

    DecisionBuilder failed(Outcome status, String errorType) {
        this.status = status;
        this.errorType = errorType;
        return this;
    }

    DecisionBuilder redactions(Map<String, Integer> redactions) {
        this.redactions = redactions;
        return this;
    }

    DecisionBuilder retrieved(String... docIds) {
        this.retrievalResults = Arrays.stream(docIds)
                .map(id -> new RetrievalResult(id, 0.8, "hash-" + id))
                .toList();
        return this;
    }

    DecisionBuilder latencyMs(Long latencyMs) {
        this.latencyMs = latencyMs;
        return this;
    }

    DecisionBuilder costUsd(String costUsd) {
        this.costUsd = costUsd == null ? null : new BigDecimal(costUsd);
        return this;
    }

    DecisionRecord build() {
        return new DecisionRecord(
                1,
                "p-test",
                "d-1",
                "t-1",
                "support-answer",
                "the question",
                "in-hash",
                retrievalResults,
                "template",
                "v1",
                "gpt-test",
                output,
                "out-hash",
                parsedOutput,
                parseError,
                redactions,
                status,
                errorType,
                costUsd,
                latencyMs,
                Instant.parse("2026-11-27T10:00:00Z"),
                Map.of());
    }
}
