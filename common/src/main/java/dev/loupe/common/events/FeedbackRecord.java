package dev.loupe.common.events;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/** What a user said about one decision, on {@link Topics#FEEDBACK}. */
@RegisterForReflection
public record FeedbackRecord(
        int schemaVersion,
        String projectId,
        String feedbackId,
        String decisionId,
        FeedbackSignal signal,
        String correction,
        String feedbackText,
        String userId,
        Instant occurredAt) implements LoupeEvent {
}
