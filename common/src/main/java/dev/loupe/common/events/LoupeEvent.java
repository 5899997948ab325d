package dev.loupe.common.events;

/** What every record on a Loupe topic carries: its schema version and the project it belongs to. */
public interface LoupeEvent {
    int schemaVersion();

    String projectId();
}
