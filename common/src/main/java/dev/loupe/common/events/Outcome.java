package dev.loupe.common.events;

/** How a span or a decision ended. */
public enum Outcome {
    SUCCESS, ERROR, TRUNCATED
}
