package dev.loupe.common.events;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table of docs/architecture.md#metrics: every metric published as {@link MetricWindow}s and the dimension sets it is
 * published for. An alert rule's {@code groupBy} must be one of its metric's sets.
 */
public final class WindowDimensions {
    private static final Map<String, List<Set<String>>> SETS = new LinkedHashMap<>();

    static {
        List<Set<String>> overall = List.of(Set.of(), Set.of("feature"), Set.of("model"));
        List<Set<String>> latency = List.of(Set.of("model"), Set.of("feature"));
        List<Set<String>> eval = List.of(Set.of("feature"), Set.of("feature", "evaluator"));
        SETS.put("request_count", overall);
        SETS.put("error_rate", overall);
        SETS.put("cost_usd", overall);
        SETS.put("daily_spend_usd", List.of(Set.of(), Set.of("feature")));
        SETS.put("tokens_per_session", List.of(Set.of(), Set.of("feature")));
        SETS.put("parse_failure_rate", List.of(Set.of("feature"), Set.of("model")));
        SETS.put("tool_error_rate", List.of(Set.of("tool")));
        SETS.put("latency_p50_ms", latency);
        SETS.put("latency_p95_ms", latency);
        SETS.put("latency_p99_ms", latency);
        SETS.put("latency_shift", latency);
        SETS.put("eval_pass_rate", eval);
        SETS.put("eval_score_mean", eval);
        SETS.put("correction_rate", List.of(Set.of("feature")));
        SETS.put("thumbs_down_rate", List.of(Set.of("feature")));
        SETS.put("judge_disagreement_rate", eval);
    }

    private WindowDimensions() {
    }

    public static Set<String> metrics() {
        return SETS.keySet();
    }

    /** The dimension sets {@code metric} is published for; empty for an unknown metric. */
    public static List<Set<String>> of(String metric) {
        return SETS.getOrDefault(metric, List.of());
    }
}
