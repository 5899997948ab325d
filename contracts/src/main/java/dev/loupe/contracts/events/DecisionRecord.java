package dev.loupe.contracts.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The full context of one user-facing AI decision, on {@link Topics#DECISIONS}. */
public record DecisionRecord(
        int schemaVersion,
        String projectId,
        String decisionId,
        String traceId,
        String feature,
        String input,
        String inputHash,
        List<RetrievalResult> retrievalResults,
        String promptTemplate,
        String promptVersion,
        String model,
        String output,
        String outputHash,
        JsonNode parsedOutput,
        String parseError,
        Map<String, Integer> redactions,
        Outcome status,
        String errorType,
        BigDecimal costUsd,
        Long latencyMs,
        Instant occurredAt,
        Map<String, String> metadata)
        implements LoupeEvent {}
