package dev.loupe.contracts.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.Outcome;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One decision as an app sends it to {@code POST /v1/decisions}. Retrieval results may carry the document
 * {@code text}: only its HMAC leaves the collector.
 */
public record DecisionInput(
        String decisionId,
        String traceId,
        String feature,
        String input,
        List<Retrieved> retrievalResults,
        String promptTemplate,
        String promptVersion,
        String model,
        String output,
        JsonNode parsedOutput,
        String parseError,
        Outcome status,
        String errorType,
        BigDecimal costUsd,
        Long latencyMs,
        Instant occurredAt,
        Map<String, String> metadata) {

    /** A retrieved document: id, score, and either its text (hashed here) or a hash the app computed. */
    public record Retrieved(String docId, Double score, String text, String textHash) {}
}
