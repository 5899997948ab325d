package dev.loupe.contracts.events;

/** How a span or a decision ended. */
public enum Outcome {
    SUCCESS,
    ERROR,
    TRUNCATED
}
