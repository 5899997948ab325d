package dev.loupe.aggregator.timescale;

import dev.loupe.testing.PostgresTestResource;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@link PostgresTestResource}'s database, migrated by the V1–V6 that shipped before V7 (copies in {@code
 * db/shipped-telemetry-v6}) before the application starts: the application's own Flyway then upgrades it.
 */
public class ShippedSchemaTestResource extends PostgresTestResource {
    /** What the shipped migrations did: {@code migrated}, or {@code refused: …}. */
    static final String OUTCOME = "loupe.test.shipped-schema";

    private static boolean stackTraceContains(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(text)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(config.get("quarkus.datasource.jdbc.url"));
        ds.setUser(config.get("quarkus.datasource.username"));
        ds.setPassword(config.get("quarkus.datasource.password"));
        Map<String, String> result = new HashMap<>(config);
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .schemas("telemetry")
                    .createSchemas(true)
                    .locations("classpath:db/shipped-telemetry-v6")
                    .load()
                    .migrate();
            result.put(OUTCOME, "migrated");
        } catch (RuntimeException e) {
            // a server with TimescaleDB installed but not preloaded: the shipped V1 cannot run there (issue 20), so no
            // database was ever migrated by it; the application then migrates an empty database
            if (!stackTraceContains(e, "must be preloaded")) {
                throw e;
            }
            result.put(OUTCOME, "refused: must be preloaded");
        }
        return result;
    }
}
