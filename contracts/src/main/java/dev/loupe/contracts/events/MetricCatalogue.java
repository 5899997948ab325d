package dev.loupe.contracts.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one table of metrics published as {@link MetricWindow}s on {@link Topics#METRIC_WINDOWS} and the dimension
 * sets each is published for ({@code docs/architecture.md#windows}). metrics-aggregator publishes exactly these
 * windows, and alert-manager accepts a rule's {@code groupBy} only if it is one of its metric's sets: both read
 * this class, so a rule that passes validation always has windows to judge. Change a set here, nowhere else.
 */
public final class MetricCatalogue {
    private static final Map<String, List<Set<String>>> SETS = new LinkedHashMap<>();

    static {
        List<Set<String>> overall = sets(dims(), dims("feature"), dims("model"));
        List<Set<String>> latency = sets(dims("model"), dims("feature"));
        List<Set<String>> eval = sets(dims("feature"), dims("feature", "evaluator"));
        SETS.put("request_count", overall);
        SETS.put("error_rate", overall);
        SETS.put("cost_usd", overall);
        SETS.put("daily_spend_usd", sets(dims(), dims("feature")));
        SETS.put("tokens_per_session", sets(dims(), dims("feature")));
        SETS.put("parse_failure_rate", sets(dims("feature"), dims("model")));
        SETS.put("tool_error_rate", sets(dims("tool")));
        SETS.put("latency_p50_ms", latency);
        SETS.put("latency_p95_ms", latency);
        SETS.put("latency_p99_ms", latency);
        SETS.put("latency_shift", latency);
        SETS.put("eval_pass_rate", eval);
        SETS.put("eval_score_mean", eval);
        SETS.put("correction_rate", sets(dims("feature")));
        SETS.put("thumbs_down_rate", sets(dims("feature")));
        SETS.put("judge_disagreement_rate", eval);
    }

    /** One published series: a metric and one of its dimension sets. */
    public record Series(String metric, Set<String> dimensions) {}

    private MetricCatalogue() {}

    /** Every published metric, in the catalogue's order. */
    public static Set<String> metrics() {
        return Collections.unmodifiableSet(SETS.keySet());
    }

    /**
     * The dimension sets {@code metric} is published for, empty for an unknown metric. Each set iterates in the
     * order the dimensions are grouped by (and so appear in a window's key).
     */
    public static List<Set<String>> dimensionSets(String metric) {
        return metric == null ? List.of() : SETS.getOrDefault(metric, List.of());
    }

    /** Whether windows of {@code metric} are published per exactly {@code dimensions}. */
    public static boolean publishes(String metric, Set<String> dimensions) {
        return dimensionSets(metric).contains(dimensions);
    }

    /** Every (metric, dimension set) pair, metric by metric in the catalogue's order. */
    public static List<Series> series() {
        List<Series> all = new ArrayList<>();
        SETS.forEach((metric, sets) -> sets.forEach(set -> all.add(new Series(metric, set))));
        return List.copyOf(all);
    }

    private static Set<String> dims(String... names) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
    }

    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied by List.of, never written or exposed
    private static List<Set<String>> sets(Set<String>... sets) {
        return List.of(sets);
    }
}
