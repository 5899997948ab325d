package dev.loupe.aggregator.explore;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One row of the traces list: its root span and sums over all its spans. {@code status} is {@code ERROR} when any
 * span failed (then {@code errorType} is the first failed span's), and {@code feedback} the distinct signals given
 * on the trace's decisions.
 */
@RegisterForReflection
public record TraceSummary(
        String traceId,
        String rootSpanId,
        String rootName,
        Instant startTime,
        Long durationMs,
        String feature,
        String userId,
        String sessionId,
        int spans,
        long inputTokens,
        long outputTokens,
        BigDecimal costUsd,
        String status,
        String errorType,
        List<String> decisionIds,
        List<String> feedback) {}
