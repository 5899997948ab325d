package dev.loupe.feedback;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.SchemaVersions;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One piece of feedback as stored in {@code feedback.feedback}; a row whose {@code publishedAt} is null is the
 * outbox entry the relay still has to publish. Correction and text are stored redacted, the user id as HMAC.
 */
@Entity
@Table(name = "feedback", schema = "feedback")
public class FeedbackEntity {
    @Id
    public String id;

    @Column(name = "project_id", nullable = false)
    public String projectId;

    @Column(name = "decision_id", nullable = false)
    public String decisionId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public FeedbackSignal signal;

    public String correction;

    @Column(name = "feedback_text")
    public String feedbackText;

    @Column(name = "user_id")
    public String userId;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(name = "received_at", nullable = false)
    public Instant receivedAt;

    @Column(name = "published_at")
    public Instant publishedAt;
    /** Until when the relay that claimed this unpublished row holds it (FeedbackOutbox); null when unclaimed. */
    @Column(name = "lease_until")
    public Instant leaseUntil;
    /** The client's idempotency key, unique per project. */
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    /** HMAC of the request's content, to tell a retry (same content) from a reused key (other content). */
    public String fingerprint;
    /** Insertion order, assigned by the database; breaks ties between rows received at the same instant. */
    @Column(insertable = false, updatable = false)
    public Long seq;

    public FeedbackRecord toRecord() {
        return new FeedbackRecord(
                SchemaVersions.CURRENT,
                projectId,
                id,
                decisionId,
                signal,
                correction,
                feedbackText,
                userId,
                occurredAt);
    }
}
