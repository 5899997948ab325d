package dev.loupe.feedback;

/** Names of the feedback-service's meters (Prometheus: dots become underscores, counters end in {@code _total}). */
public final class FeedbackMetrics {
    /** Counter of feedback stored (not replays), tag {@code signal}. */
    public static final String RECEIVED = "loupe.feedback.received";
    /** Counter of personal data replaced in corrections and feedback texts, tag {@code kind} (email, card…). */
    public static final String REDACTIONS = "loupe.feedback.redactions";
    /** Counter of feedback records Kafka acknowledged. */
    public static final String PUBLISHED = "loupe.feedback.published";
    /** Gauge of stored feedback not yet published (the outbox). */
    public static final String OUTBOX_PENDING = "loupe.feedback.outbox.pending";

    private FeedbackMetrics() {}
}
