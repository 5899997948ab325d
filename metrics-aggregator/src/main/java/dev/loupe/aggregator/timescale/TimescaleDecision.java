package dev.loupe.aggregator.timescale;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether telemetry runs on TimescaleDB, and why, as a pure function of facts about the server and the role. The same
 * rule is {@code telemetry.timescaledb_decision} in migration {@code V7__timescaledb.sql}, which sets TimescaleDB up;
 * {@code TimescaleDecisionTest} checks that both answer alike.
 *
 * <p>Usable = preloaded ({@code shared_preload_libraries} names {@code timescaledb}) and either installed in this
 * database or available on the server and creatable by this role (superuser: the extension is not "trusted"). A
 * server with the files but without the preload refuses {@code create extension} with a FATAL error, so availability
 * alone never decides. An installed extension is used from the schema it is in (it cannot be moved); a new one goes
 * into {@code public}.
 */
public final class TimescaleDecision {
    /** Where a new extension is created. */
    public static final String NEW_SCHEMA = "public";

    /** Reads the facts; the same function the migration decides from. */
    public static final String FACTS_SQL = "select available, preload_libraries, installed_schema, installed_version, "
            + "available_version, superuser, role_name from telemetry.timescaledb_facts()";

    private TimescaleDecision() {}

    /**
     * What the server and role offer. {@code preloadLibraries} is null when the role may not read it (superuser or
     * {@code pg_read_all_settings} may); {@code installedSchema}/{@code installedVersion} are null when the extension
     * is not installed in this database, {@code availableVersion} when the server has no files for it.
     */
    public record Facts(
            boolean available,
            String preloadLibraries,
            String installedSchema,
            String installedVersion,
            String availableVersion,
            boolean superuser,
            String roleName) {}

    /** The schema TimescaleDB is used from (empty: plain PostgreSQL) and the one-line reason. */
    public record Decision(Optional<String> schema, String reason) {
        public boolean timescale() {
            return schema.isPresent();
        }
    }

    public static Decision decide(Facts f) {
        boolean preloadKnown = f.preloadLibraries() != null;
        boolean preloaded = preloadKnown && preloads(f.preloadLibraries());
        if (f.installedSchema() != null) {
            if (preloadKnown && !preloaded) {
                return plain("TimescaleDB " + f.installedVersion() + " installed in schema " + f.installedSchema()
                        + " but not preloaded (shared_preload_libraries='" + f.preloadLibraries()
                        + "'): using plain PostgreSQL tables");
            }
            return new Decision(
                    Optional.of(f.installedSchema()),
                    "TimescaleDB " + f.installedVersion() + " installed in schema " + f.installedSchema()
                            + ": using hypertables");
        }
        if (!f.available()) {
            return plain(
                    "TimescaleDB not available (no timescaledb extension on this server): using plain PostgreSQL tables");
        }
        if (!preloadKnown) {
            return plain("TimescaleDB available but shared_preload_libraries is unreadable (needs superuser or "
                    + "pg_read_all_settings): using plain PostgreSQL tables");
        }
        if (!preloaded) {
            return plain("TimescaleDB available but not preloaded (shared_preload_libraries='" + f.preloadLibraries()
                    + "'): using plain PostgreSQL tables");
        }
        if (!f.superuser()) {
            return plain("TimescaleDB available and preloaded but role " + f.roleName() + " may not create it (needs "
                    + "superuser, or create extension timescaledb beforehand): using plain PostgreSQL tables");
        }
        return new Decision(
                Optional.of(NEW_SCHEMA),
                "TimescaleDB " + f.availableVersion() + " available and preloaded: creating it in schema " + NEW_SCHEMA
                        + ", using hypertables");
    }

    /** Whether a {@code shared_preload_libraries} value names timescaledb ({@code timescaledb}, {@code "$libdir/timescaledb.so"}…). */
    static boolean preloads(String libraries) {
        return Arrays.stream(libraries.split(","))
                .map(name -> strip(name.strip().toLowerCase(Locale.ROOT)))
                .anyMatch("timescaledb"::equals);
    }

    private static String strip(String name) {
        String unquoted = name.replaceAll("^[ \"]+|[ \"]+$", "");
        String base = unquoted.substring(unquoted.lastIndexOf('/') + 1);
        return base.endsWith(".so") ? base.substring(0, base.length() - 3) : base;
    }

    private static Decision plain(String reason) {
        return new Decision(Optional.empty(), reason);
    }
}
