package dev.loupe.contracts.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * One span as an app sends it to {@code POST /v1/spans} (the collector's {@code SpanValidator} checks it, and
 * {@code SpanNormalizer} makes the {@link dev.loupe.contracts.events.SpanRecord}); the project never comes from here.
 */
public record SpanInput(
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
        Map<String, Object> attributes) {}
