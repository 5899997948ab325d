package dev.loupe.aggregator.query;

import java.util.Optional;
import java.util.Set;

/**
 * Every metric the query API and the metric windows know, with where it is computed from and the
 * dimensions it can be grouped and filtered by. Names are those of docs/architecture.md#metrics; rates are 0..1.
 */
public enum Metric {
    REQUEST_COUNT("request_count", Source.SPANS, Dimensions.SPAN_AND_RAW),
    ERROR_RATE("error_rate", Source.SPANS, Dimensions.SPAN_AND_RAW),
    TRUNCATION_RATE("truncation_rate", Source.SPANS, Dimensions.SPAN),
    COST_USD("cost_usd", Source.SPANS, Dimensions.SPAN_AND_RAW),
    DAILY_SPEND_USD("daily_spend_usd", Source.SPANS, Dimensions.SPAN),
    INPUT_TOKENS("input_tokens", Source.SPANS, Dimensions.SPAN_AND_RAW),
    OUTPUT_TOKENS("output_tokens", Source.SPANS, Dimensions.SPAN_AND_RAW),
    PARSE_FAILURE_RATE("parse_failure_rate", Source.SPANS, Dimensions.SPAN),
    TOOL_ERROR_RATE("tool_error_rate", Source.SPANS, Dimensions.SPAN),
    LATENCY_P50_MS("latency_p50_ms", Source.SPANS, Dimensions.SPAN),
    LATENCY_P95_MS("latency_p95_ms", Source.SPANS, Dimensions.SPAN),
    LATENCY_P99_MS("latency_p99_ms", Source.SPANS, Dimensions.SPAN),
    /** The latency distribution itself (value = p95, with every quantile), for shift rules. */
    LATENCY_SHIFT("latency_shift", Source.SPANS, Dimensions.SPAN),
    TOKENS_PER_SESSION("tokens_per_session", Source.SESSIONS, Set.of("feature")),
    DECISION_COUNT("decision_count", Source.DECISIONS, Set.of("feature", "model", "status")),
    EVAL_PASS_RATE("eval_pass_rate", Source.EVALS, Dimensions.EVAL),
    EVAL_SCORE_MEAN("eval_score_mean", Source.EVALS, Dimensions.EVAL),
    CORRECTION_RATE("correction_rate", Source.FEEDBACK, Set.of("feature")),
    THUMBS_DOWN_RATE("thumbs_down_rate", Source.FEEDBACK, Set.of("feature")),
    JUDGE_DISAGREEMENT_RATE("judge_disagreement_rate", Source.DISAGREEMENT, Set.of("feature", "evaluator"));

    /** Where the numbers come from. */
    public enum Source {
        SPANS,
        SESSIONS,
        DECISIONS,
        EVALS,
        FEEDBACK,
        DISAGREEMENT
    }

    private final String label;
    private final Source source;
    private final Set<String> dimensions;

    Metric(String label, Source source, Set<String> dimensions) {
        this.label = label;
        this.source = source;
        this.dimensions = dimensions;
    }

    public String label() {
        return label;
    }

    public Source source() {
        return source;
    }

    /** Dimensions accepted in {@code groupBy} and as filters ({@code dimension.<key>} for evals too). */
    public Set<String> dimensions() {
        return dimensions;
    }

    public boolean isLatency() {
        return this == LATENCY_P50_MS || this == LATENCY_P95_MS || this == LATENCY_P99_MS || this == LATENCY_SHIFT;
    }

    public static Optional<Metric> ofLabel(String label) {
        for (Metric m : values()) {
            if (m.label.equals(label)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Dimension sets shared by several metrics. */
    static final class Dimensions {
        static final Set<String> SPAN = Set.of("feature", "model", "kind", "status", "errorType", "tool");
        static final Set<String> SPAN_AND_RAW =
                Set.of("feature", "model", "kind", "status", "errorType", "tool", "user", "session");
        static final Set<String> EVAL = Set.of("feature", "evaluator", "trigger");

        private Dimensions() {}
    }
}
