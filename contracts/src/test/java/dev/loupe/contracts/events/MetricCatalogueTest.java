package dev.loupe.contracts.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricCatalogueTest {
    @Test
    void seriesAreEveryMetricWithEachOfItsSetsOnce() {
        List<MetricCatalogue.Series> series = MetricCatalogue.series();
        assertThat(new HashSet<>(series)).hasSameSizeAs(series);
        int expected = 0;
        for (String metric : MetricCatalogue.metrics()) {
            List<Set<String>> sets = MetricCatalogue.dimensionSets(metric);
            assertThat(sets).as(metric).isNotEmpty().doesNotHaveDuplicates();
            for (Set<String> set : sets) {
                assertThat(series).contains(new MetricCatalogue.Series(metric, set));
                assertThat(MetricCatalogue.publishes(metric, set)).isTrue();
            }
            expected += sets.size();
        }
        assertThat(series).hasSize(expected);
    }

    @Test
    void publishesComparesSetsNotOrderAndKnowsNoOtherMetric() {
        assertThat(MetricCatalogue.publishes("eval_pass_rate", Set.of("evaluator", "feature")))
                .isTrue();
        assertThat(MetricCatalogue.publishes("eval_pass_rate", Set.of("evaluator")))
                .isFalse();
        assertThat(MetricCatalogue.publishes("decision_count", Set.of())).isFalse();
        assertThat(MetricCatalogue.dimensionSets("nope")).isEmpty();
        assertThat(MetricCatalogue.dimensionSets(null)).isEmpty();
    }

    @Test
    void aSetIteratesInItsGroupingOrder() {
        assertThat(MetricCatalogue.dimensionSets("eval_pass_rate"))
                .anySatisfy(set -> assertThat(List.copyOf(set)).containsExactly("feature", "evaluator"));
    }
}
