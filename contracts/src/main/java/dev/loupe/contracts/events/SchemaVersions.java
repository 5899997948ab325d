package dev.loupe.contracts.events;

/** The schema version written into every record this build produces. */
public final class SchemaVersions {
    public static final int CURRENT = 1;

    private SchemaVersions() {}
}
