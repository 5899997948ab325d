package dev.loupe.contracts.wire;

import java.time.Instant;

/**
 * One piece of feedback as a client sends it: the body of {@code POST /v1/feedback} and each item of
 * {@code POST /v1/feedback/batch}. {@code signal} stays text here so that an unknown one is named with the
 * accepted values, in both endpoints alike (feedback-service's {@code FeedbackValidator}). The key may come in the
 * body or as the {@code Idempotency-Key} header; the Java client sends the header.
 */
public record FeedbackInput(
        String decisionId,
        String signal,
        String correction,
        String feedbackText,
        String userId,
        Instant occurredAt,
        String idempotencyKey) {

    public FeedbackInput withIdempotencyKey(String key) {
        return new FeedbackInput(decisionId, signal, correction, feedbackText, userId, occurredAt, key);
    }
}
