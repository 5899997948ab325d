package dev.loupe.contracts.events;

/** Lifecycle state of one alert instance. */
public enum AlertState {
    PENDING,
    FIRING,
    RESOLVED
}
