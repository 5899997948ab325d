package dev.loupe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives a {@code @QuarkusTest} its own database on the machine's PostgreSQL, with schema
 * {@code tenancy} migrated and two projects seeded ({@code loupe.test.project-a.*} and
 * {@code loupe.test.project-b.*} in config), and drops the database afterwards.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
    private TestDatabase database;

    @Override
    public Map<String, String> start() {
        database = TestDatabase.create("test");
        TestTenancy.migrate(database);
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        String pepper = HexFormat.of().formatHex(random);
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
        config.put("quarkus.datasource.reactive.url", database.reactiveUrl());
        config.put("quarkus.datasource.username", database.settings().user());
        config.put("quarkus.datasource.password", database.settings().password());
        config.put("loupe.tenancy.pepper", pepper);
        config.putAll(TestTenancy.asConfig("project-a", TestTenancy.seed(database, pepper, "project-a")));
        config.putAll(TestTenancy.asConfig("project-b", TestTenancy.seed(database, pepper, "project-b")));
        return config;
    }

    @Override
    public void stop() {
        if (database != null) {
            database.close();
        }
    }
}
