package dev.loupe.aggregator.query;

import dev.loupe.aggregator.rollup.Granularity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One validated metric query: project (from the key), metric, half-open range [from, to), the dimensions to
 * group by, an optional bucket (no bucket: one point per group for the whole range) and equality filters.
 */
public record MetricRequest(
        String projectId,
        Metric metric,
        Instant from,
        Instant to,
        List<String> groupBy,
        Optional<Granularity> bucket,
        Map<String, String> filters) {}
