package dev.loupe.aggregator.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.aggregator.query.Metric;
import dev.loupe.contracts.events.MetricCatalogue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a window close queries is derived from {@link MetricCatalogue}: every (metric, dimension set) of the
 * catalogue is published by exactly one query, and nothing else is (QualityMetricsTest checks the windows a close
 * actually publishes against the catalogue too).
 */
class WindowCloserPlanTest {
    @Test
    void theQueriesPublishExactlyTheCatalogueSeriesOnceEach() {
        List<MetricCatalogue.Series> planned = new ArrayList<>();
        for (WindowCloser.Query query : WindowCloser.QUERIES) {
            for (Metric metric : query.published()) {
                planned.add(new MetricCatalogue.Series(metric.label(), new LinkedHashSet<>(query.dimensions())));
            }
        }
        assertThat(new HashSet<>(planned)).hasSameSizeAs(planned);
        assertThat(planned).containsExactlyInAnyOrderElementsOf(MetricCatalogue.series());
        assertThat(WindowCloser.plan()).isEqualTo(WindowCloser.QUERIES);
    }

    @Test
    void theLatencyMetricsShareOneSketchQueryPerDimensionSet() {
        for (WindowCloser.Query query : WindowCloser.QUERIES) {
            if (query.published().stream().anyMatch(Metric::isLatency)) {
                assertThat(query.metric()).isEqualTo(Metric.LATENCY_SHIFT);
                assertThat(query.published()).allMatch(Metric::isLatency);
            } else {
                assertThat(query.published()).containsExactly(query.metric());
            }
        }
        long latencyQueries = WindowCloser.QUERIES.stream()
                .filter(q -> q.metric() == Metric.LATENCY_SHIFT)
                .count();
        assertThat(latencyQueries)
                .isEqualTo(MetricCatalogue.dimensionSets("latency_shift").size());
    }

    @Test
    void aQueryGroupsByItsSetInTheCatalogueOrder() {
        for (WindowCloser.Query query : WindowCloser.QUERIES) {
            for (Metric metric : query.published()) {
                assertThat(MetricCatalogue.dimensionSets(metric.label()))
                        .anySatisfy(set -> assertThat(List.copyOf(set)).isEqualTo(query.dimensions()));
            }
        }
    }
}
