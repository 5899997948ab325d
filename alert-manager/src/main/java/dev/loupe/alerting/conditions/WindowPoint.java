package dev.loupe.alerting.conditions;

import java.time.Instant;
import java.util.Map;

/** One closed metric window of a series, as conditions read it ({@code quantiles}: p50, p90, p95, p99, or empty). */
public record WindowPoint(
        Instant windowStart, Instant windowEnd, double value, long sampleSize, Map<String, Double> quantiles) {}
