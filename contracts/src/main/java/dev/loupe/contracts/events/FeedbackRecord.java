package dev.loupe.contracts.events;

import java.time.Instant;

/** What a user said about one decision, on {@link Topics#FEEDBACK}. */
public record FeedbackRecord(
        int schemaVersion,
        String projectId,
        String feedbackId,
        String decisionId,
        FeedbackSignal signal,
        String correction,
        String feedbackText,
        String userId,
        Instant occurredAt)
        implements LoupeEvent {}
