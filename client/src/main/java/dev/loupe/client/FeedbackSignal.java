package dev.loupe.client;

/** What a user said about a decision; the names are the feedback-service's ({@code signal}). */
public enum FeedbackSignal {
    CORRECT, INCORRECT, EDITED, DISMISSED, THUMBS_UP, THUMBS_DOWN
}
