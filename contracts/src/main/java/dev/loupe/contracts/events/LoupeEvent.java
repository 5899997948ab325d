package dev.loupe.contracts.events;

/** What every record on a Loupe topic carries: its schema version and the project it belongs to. */
public interface LoupeEvent {
    int schemaVersion();

    String projectId();
}
