package dev.loupe.aggregator.spans;

/**
 * The feature, user and session a stored span counts under, as SQL over {@code telemetry.spans} (issue 24: a span
 * row is written once and never updated for attribution). A span is stored with {@code rollup_feature} /
 * {@code rollup_user} / {@code rollup_session} = its own value, else its trace's first seen
 * ({@code telemetry.trace_features}), else {@code ''}: unknown when it was stored. For a {@code ''} the trace's value
 * is looked up when the span is read, by primary key and only for those rows; {@code trace_features} keeps a trace's
 * first value for good, so the answer is the value the span's rollup contribution was moved to in the transaction
 * that learnt it. Spans stored before V4 / V8 have null rollup columns and count under their own value.
 */
public final class SpanAttribution {
    private SpanAttribution() {}

    /** The feature of the spans row named {@code span} (a table name or alias of {@code telemetry.spans}). */
    public static String feature(String span) {
        return attributed(span, "rollup_feature", "feature", "feature");
    }

    /** The user the spans row named {@code span} counts under. */
    public static String user(String span) {
        return attributed(span, "rollup_user", "user_id", "user_id");
    }

    /** The session the spans row named {@code span} counts under. */
    public static String session(String span) {
        return attributed(span, "rollup_session", "session_id", "session_id");
    }

    private static String attributed(String span, String rollup, String own, String traceColumn) {
        return "(case when " + span + "." + rollup + " = '' then coalesce((select tf." + traceColumn
                + " from telemetry.trace_features tf where tf.project_id = " + span + ".project_id and tf.trace_id = "
                + span + ".trace_id), '') else coalesce(" + span + "." + rollup + ", " + span + "." + own
                + ", '') end)";
    }
}
