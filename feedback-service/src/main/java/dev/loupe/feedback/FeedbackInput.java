package dev.loupe.feedback;

import dev.loupe.common.events.FeedbackSignal;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/** The body of {@code POST /v1/feedback}. */
@RegisterForReflection
public record FeedbackInput(String decisionId, FeedbackSignal signal, String correction, String feedbackText,
                            String userId, Instant occurredAt) {
}
