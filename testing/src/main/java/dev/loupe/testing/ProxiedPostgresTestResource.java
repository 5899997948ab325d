package dev.loupe.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * As {@link PostgresTestResource}, but the service reaches its database through a {@link FaultProxy} that the test
 * cuts and restores ({@link #proxy()}), to see how the service behaves while PostgreSQL is away. Migrations and
 * seeding go straight to PostgreSQL.
 */
public class ProxiedPostgresTestResource extends PostgresTestResource {
    private static volatile FaultProxy proxy;

    /** The proxy of the running test resource. */
    public static FaultProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("ProxiedPostgresTestResource is not started");
        }
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        PostgresSettings pg = PostgresSettings.fromEnvironment();
        proxy = FaultProxy.start(pg.host(), pg.port());
        PostgresSettings proxied = new PostgresSettings("127.0.0.1", proxy.port(), pg.user(), pg.password());
        String database = config.get("quarkus.datasource.jdbc.url")
                .substring(pg.jdbcUrl("").length());
        config.put("quarkus.datasource.jdbc.url", proxied.jdbcUrl(database));
        config.put("quarkus.datasource.reactive.url", proxied.reactiveUrl(database));
        return config;
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        super.stop();
    }
}
