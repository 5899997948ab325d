package dev.loupe.contracts.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/** One span of a trace as it travels on {@link Topics#SPANS}: an LLM call, a retrieval, a tool call… */
public record SpanRecord(
        int schemaVersion,
        String projectId,
        String traceId,
        String spanId,
        String parentSpanId,
        SpanKind kind,
        String name,
        String provider,
        String model,
        String requestModel,
        Instant startTime,
        Instant endTime,
        Long latencyMs,
        Long timeToFirstTokenMs,
        Long inputTokens,
        Long outputTokens,
        Long cachedInputTokens,
        Long cacheWriteInputTokens,
        Long reasoningTokens,
        BigDecimal costUsd,
        String prompt,
        String completion,
        boolean truncated,
        Map<String, Integer> redactions,
        JsonNode parsedOutput,
        String parseError,
        Outcome status,
        String errorType,
        String errorMessage,
        String feature,
        String sessionId,
        String userId,
        String decisionId,
        String toolName,
        String toolArguments,
        String toolResult,
        Map<String, String> metadata,
        Map<String, Object> attributes,
        Instant receivedAt)
        implements LoupeEvent {}
