package dev.loupe.aggregator.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer of {@code GET /v1/metrics/{metric}} (docs/architecture.md#apis). */
@RegisterForReflection
public record MetricSeries(String metric, List<String> groupBy, String bucket, List<Series> series) {

    /** One group's points, in time order; absent dimension values are {@code null}. */
    @RegisterForReflection
    public record Series(Map<String, String> group, List<Point> points) {}

    /** One bucket (or the whole range): the value and the number of samples behind it. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(Instant t, double value, long sampleSize, Map<String, Double> quantiles) {}
}
