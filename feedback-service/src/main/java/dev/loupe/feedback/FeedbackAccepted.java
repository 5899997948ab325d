package dev.loupe.feedback;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The answer to {@code POST /v1/feedback}. */
@RegisterForReflection
public record FeedbackAccepted(String feedbackId, String decisionId) {
}
