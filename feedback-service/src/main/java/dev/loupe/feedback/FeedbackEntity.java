package dev.loupe.feedback;

import dev.loupe.common.events.FeedbackSignal;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One piece of feedback as stored in {@code feedback.feedback}. */
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
}
