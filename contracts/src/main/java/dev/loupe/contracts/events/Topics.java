package dev.loupe.contracts.events;

/** Kafka topic names of docs/architecture.md#topics: the one place a topic name is spelled. */
public final class Topics {
    public static final String SPANS = "loupe.spans.v1";
    public static final String DECISIONS = "loupe.decisions.v1";
    public static final String FEEDBACK = "loupe.feedback.v1";
    public static final String EVALS = "loupe.evals.v1";
    public static final String METRIC_WINDOWS = "loupe.metric-windows.v1";
    public static final String ALERTS = "loupe.alerts.v1";

    /** Suffix of the dead-letter topic that takes the records a consumer of a topic cannot read. */
    public static final String DLQ_SUFFIX = ".dlq";

    private Topics() {}

    public static String deadLetter(String topic) {
        return topic + DLQ_SUFFIX;
    }
}
