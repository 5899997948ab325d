package dev.loupe.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.events.MetricCatalogue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A rule's {@code groupBy} is accepted exactly when it is one of its metric's dimension sets in
 * {@link MetricCatalogue}, the table the aggregator publishes windows for. Everything here is derived from the
 * catalogue: a set changed there changes what is accepted.
 */
class RuleValidatorCatalogueTest {
    private static final Condition ABOVE_ONE = new Condition(
            Condition.STATIC, Condition.ABOVE, 1.0, null, null, null, null, null, null, null, null, null, null);

    @Test
    void acceptsEveryDimensionSetOfEveryCatalogueMetric() {
        for (MetricCatalogue.Series series : MetricCatalogue.series()) {
            List<String> groupBy = List.copyOf(series.dimensions());
            Rule valid = RuleValidator.validated("r", rule(series.metric(), groupBy));
            assertThat(valid.metric()).isEqualTo(series.metric());
            assertThat(valid.groupBy()).containsExactlyElementsOf(groupBy);
            // the order of the dimensions does not matter
            List<String> reversedOrder = new ArrayList<>(groupBy);
            Collections.reverse(reversedOrder);
            Rule reversed = RuleValidator.validated("r", rule(series.metric(), reversedOrder));
            assertThat(Set.copyOf(reversed.groupBy())).isEqualTo(series.dimensions());
        }
    }

    @Test
    void refusesEveryOtherGrouping() {
        Set<String> dimensions = new LinkedHashSet<>();
        MetricCatalogue.series().forEach(s -> dimensions.addAll(s.dimensions()));
        dimensions.add("user"); // groupable in the query API, never published
        List<Set<String>> candidates = subsetsUpToTwo(List.copyOf(dimensions));
        int refused = 0;
        for (String metric : MetricCatalogue.metrics()) {
            for (Set<String> candidate : candidates) {
                if (MetricCatalogue.dimensionSets(metric).contains(candidate)) {
                    continue;
                }
                ProblemException e = catchThrowableOfType(
                        ProblemException.class,
                        () -> RuleValidator.validated("r", rule(metric, List.copyOf(candidate))));
                assertThat(e).as("%s per %s", metric, candidate).isNotNull();
                assertThat(fields(e)).as("%s per %s", metric, candidate).containsExactly("groupBy");
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(MetricCatalogue.metrics().size());
    }

    @Test
    void refusesAMetricTheCatalogueDoesNotPublish() {
        // decision_count and input_tokens are queryable, but no windows are published for them
        for (String metric : List.of("decision_count", "input_tokens", "nope")) {
            assertThat(MetricCatalogue.metrics()).doesNotContain(metric);
            ProblemException e = catchThrowableOfType(
                    ProblemException.class, () -> RuleValidator.validated("r", rule(metric, List.of())));
            assertThat(fields(e)).containsExactly("metric");
            assertThat(e.toProblem().errors().get(0).reason()).contains(String.join(", ", MetricCatalogue.metrics()));
        }
    }

    @Test
    void aRepeatedDimensionIsRefused() {
        String metric = MetricCatalogue.series().stream()
                .filter(s -> s.dimensions().size() == 1)
                .findFirst()
                .orElseThrow()
                .metric();
        String dimension = MetricCatalogue.dimensionSets(metric).stream()
                .filter(d -> d.size() == 1)
                .findFirst()
                .orElseThrow()
                .iterator()
                .next();
        ProblemException e = catchThrowableOfType(
                ProblemException.class,
                () -> RuleValidator.validated("r", rule(metric, List.of(dimension, dimension))));
        assertThat(fields(e)).containsExactly("groupBy");
    }

    private static List<String> fields(ProblemException e) {
        return e.toProblem().errors().stream().map(Problem.FieldError::field).toList();
    }

    private static List<Set<String>> subsetsUpToTwo(List<String> names) {
        List<Set<String>> subsets = new ArrayList<>();
        subsets.add(Set.of());
        for (int i = 0; i < names.size(); i++) {
            subsets.add(Set.of(names.get(i)));
            for (int j = i + 1; j < names.size(); j++) {
                subsets.add(Set.of(names.get(i), names.get(j)));
            }
        }
        return subsets;
    }

    private static Rule rule(String metric, List<String> groupBy) {
        return new Rule(
                null,
                metric,
                Map.of(),
                groupBy,
                ABOVE_ONE,
                Duration.ZERO,
                Duration.ZERO,
                "warning",
                "team-a",
                "https://runbooks.example/r",
                null,
                Map.of(),
                true);
    }
}
