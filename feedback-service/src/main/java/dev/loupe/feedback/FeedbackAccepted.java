package dev.loupe.feedback;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The answer to {@code POST /v1/feedback}: the stored feedback's id (the first one's, for a replayed idempotency key). */
@RegisterForReflection
public record FeedbackAccepted(String feedbackId, String decisionId) {}
