package dev.loupe.client;

/** How a span or a decision ended; the names are the collector's ({@code status}). */
public enum Outcome {
    SUCCESS, ERROR, TRUNCATED
}
