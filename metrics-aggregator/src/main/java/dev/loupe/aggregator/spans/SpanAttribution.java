package dev.loupe.aggregator.spans;

/**
 * The feature, user and session a stored span counts under, as SQL over {@code telemetry.spans} (issue 24: a span
 * row is written once and never updated for attribution). A span is stored with {@code rollup_feature} /
 * {@code rollup_user} / {@code rollup_session} = its own value, else its trace's first seen
 * ({@code telemetry.trace_features}), else {@code ''}: unknown when it was stored. For a {@code ''} the trace's value
 * is looked up when the span is read, by primary key and only for those rows; {@code trace_features} keeps a trace's
 * first value for good, so the answer is the value the span's rollup contribution was moved to in the transaction
 * that learnt it. Spans stored before V4 / V8 have null rollup columns and count under their own value.
 *
 * <p>Read {@link #FEATURE}, {@link #USER} and {@link #SESSION} from {@link #FROM}: it joins the trace's row once per
 * span, and only for a span with a {@code ''} to resolve. (They were correlated sub-queries, one per expression and
 * use: the window closer's "tokens per session" read the trace's row three times per span, which with PostgreSQL's
 * JIT made it the largest query of the soak, 4.6–4.9 s a window at 2,000 spans/s.)
 */
public final class SpanAttribution {
    private SpanAttribution() {}

    /**
     * {@code telemetry.spans}, named {@code spans}, with its trace's first seen values joined as {@code tf} ({@code trace_feature}, {@code trace_user},
     * {@code trace_session}: names no span column has, so the span's own columns stay unqualified). The
     * {@code offset 0} keeps the lateral a per-row primary-key probe: never a hash join over the whole table,
     * whatever the statistics say.
     */
    public static final String FROM = "telemetry.spans" + joinTo();

    /**
     * The join of {@link #FROM} alone, for a source named {@code spans} that is not the table itself (a subquery over
     * {@code telemetry.spans} with all its columns).
     */
    public static String joinTo() {
        return " left join lateral (select tf.feature as trace_feature,"
                + " tf.user_id as trace_user, tf.session_id as trace_session"
                + " from telemetry.trace_features tf where tf.project_id = spans.project_id and tf.trace_id = spans.trace_id"
                + " and (spans.rollup_feature = '' or spans.rollup_user = '' or spans.rollup_session = '') offset 0) tf"
                + " on true";
    }

    /** The feature a row of {@link #FROM} counts under. */
    public static final String FEATURE = attributed("rollup_feature", "feature", "trace_feature");

    /** The user a row of {@link #FROM} counts under. */
    public static final String USER = attributed("rollup_user", "user_id", "trace_user");

    /** The session a row of {@link #FROM} counts under. */
    public static final String SESSION = attributed("rollup_session", "session_id", "trace_session");

    private static String attributed(String rollup, String own, String traceColumn) {
        return "(case when spans." + rollup + " = '' then coalesce(tf." + traceColumn + ", '') else coalesce(spans."
                + rollup + ", spans." + own + ", '') end)";
    }
}
