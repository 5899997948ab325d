package dev.loupe.aggregator.timescale;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The database path telemetry runs on, decided once at start-up (after Flyway migrated) and logged in exactly one
 * line: which path and why ({@link TimescaleDecision}). TimescaleDB is used when the decision says so and migration
 * V7 made hypertables; every TimescaleDB function is then called as {@link #function(String)}, qualified with the
 * extension's schema.
 */
@ApplicationScoped
public class TimescaleDb {
    private static final Logger LOG = Logger.getLogger(TimescaleDb.class);

    private final Pool pool;
    private volatile Path path;

    /** The outcome: the extension's schema when TimescaleDB is used, and the logged line. */
    public record Path(Optional<String> schema, String reason) {}

    public TimescaleDb(Pool pool) {
        this.pool = pool;
    }

    void onStart(@Observes StartupEvent event) {
        Path p = path();
        if (p.schema().isPresent() || p.reason().startsWith("TimescaleDB not available")) {
            LOG.info(p.reason());
        } else {
            LOG.warn(p.reason());
        }
    }

    /** The path, read from the database the first time it is asked for. */
    public Path path() {
        Path p = path;
        if (p == null) {
            synchronized (this) {
                if (path == null) {
                    path = read();
                }
                p = path;
            }
        }
        return p;
    }

    /** {@code "schema".name}: a TimescaleDB function as it must be called; only on the TimescaleDB path. */
    public String function(String name) {
        String schema = path().schema().orElseThrow(() -> new IllegalStateException("not on TimescaleDB"));
        return quote(schema) + "." + name;
    }

    private Path read() {
        Row row = pool.query(TimescaleDecision.FACTS_SQL)
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next();
        TimescaleDecision.Facts facts = new TimescaleDecision.Facts(
                row.getBoolean("available"),
                row.getString("preload_libraries"),
                row.getString("installed_schema"),
                row.getString("installed_version"),
                row.getString("available_version"),
                row.getBoolean("superuser"),
                row.getString("role_name"));
        TimescaleDecision.Decision decision = TimescaleDecision.decide(facts);
        if (decision.schema().isEmpty()) {
            return new Path(Optional.empty(), decision.reason());
        }
        String setup = " (select telemetry.timescaledb_setup() sets it up, copying the rows into chunks): "
                + "using plain PostgreSQL tables";
        if (facts.installedSchema() == null) {
            return new Path(
                    Optional.empty(),
                    "TimescaleDB " + facts.availableVersion()
                            + " usable but not installed in this database (it became usable after migration)" + setup);
        }
        long hypertables = pool.query("select count(*) as n from timescaledb_information.hypertables "
                        + "where hypertable_schema = 'telemetry'")
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong("n");
        if (hypertables == 0) {
            return new Path(
                    Optional.empty(),
                    "TimescaleDB " + facts.installedVersion() + " installed in schema " + facts.installedSchema()
                            + " but no telemetry table is a hypertable" + setup);
        }
        return new Path(decision.schema(), decision.reason());
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
