package dev.loupe.common.events;

/** Lifecycle state of one alert instance. */
public enum AlertState {
    PENDING, FIRING, RESOLVED
}
