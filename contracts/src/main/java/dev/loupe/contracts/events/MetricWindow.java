package dev.loupe.contracts.events;

import java.time.Instant;
import java.util.Map;

/** One closed window of one metric for one dimension set, on {@link Topics#METRIC_WINDOWS}. */
public record MetricWindow(
        int schemaVersion,
        String projectId,
        String metric,
        Map<String, String> dimensions,
        Instant windowStart,
        Instant windowEnd,
        double value,
        long sampleSize,
        Map<String, Double> quantiles,
        int revision)
        implements LoupeEvent {}
