package dev.loupe.aggregator.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Upgrading a database migrated by the V1–V6 that shipped before V7 (copies in {@code db/shipped-telemetry-v6}):
 * V1–V4 and V6 changed when their TimescaleDB branches moved to V7, and the {@code beforeValidate} callback must let
 * exactly those former checksums through, so validate-on-migrate passes and the history ends as a fresh install's.
 */
class TimescaleDbMigrationTest {

    @Test
    void aDatabaseMigratedByTheShippedFilesUpgradesAndEndsWithAFreshInstallsHistory() throws SQLException {
        try (TestDatabase fresh = TestDatabase.create("ts_fresh");
                TestDatabase upgraded = TestDatabase.create("ts_upgrade")) {
            flyway(fresh, "db/telemetry").migrate();
            if ("true"
                    .equals(query(
                            fresh,
                            "select (available and preload_libraries not like '%timescaledb%')::text "
                                    + "from telemetry.timescaledb_facts()"))) {
                // issue 20, finding 2: where the files are installed but not preloaded the shipped V1 cannot run
                // (and no database was ever migrated by it there); the fresh install above did
                assertThatThrownBy(() ->
                                flyway(upgraded, "db/shipped-telemetry-v6").migrate())
                        .hasStackTraceContaining("must be preloaded");
                return;
            }
            assertThat(flyway(upgraded, "db/shipped-telemetry-v6").migrate().migrationsExecuted)
                    .isEqualTo(6);
            execute(
                    upgraded,
                    "insert into telemetry.spans (project_id, trace_id, span_id, kind, start_time, status, "
                            + "schema_version) values ('p', 'ffffffffffffffffffffffffffffffff', 's1', 'LLM', now(), "
                            + "'SUCCESS', 1)");
            Map<String, Integer> before = checksums(upgraded);

            MigrateResult result = flyway(upgraded, "db/telemetry").migrate();

            assertThat(result.migrationsExecuted).isEqualTo(7);
            assertThat(result.targetSchemaVersion).isEqualTo("13");
            Map<String, Integer> after = checksums(upgraded);
            assertThat(after).isEqualTo(checksums(fresh));
            assertThat(after.get("5")).isEqualTo(before.get("5"));
            for (String changed : new String[] {"1", "2", "3", "4", "6"}) {
                assertThat(after.get(changed)).as("V%s", changed).isNotEqualTo(before.get(changed));
            }
            assertThat(query(upgraded, "select count(*)::text from telemetry.spans"))
                    .isEqualTo("1");
            // V8's columns arrive empty on the span stored before it: it counts under its own session and user
            assertThat(query(
                            upgraded,
                            "select (request_model is null and cache_write_input_tokens is null and rollup_session is null"
                                    + " and rollup_user is null)::text from telemetry.spans"))
                    .isEqualTo("true");
            flyway(upgraded, "db/telemetry").validate();
        }
    }

    @Test
    void anyOtherChecksumStillFailsValidation() throws SQLException {
        try (TestDatabase db = TestDatabase.create("ts_tampered")) {
            flyway(db, "db/telemetry").migrate();
            execute(db, "update telemetry.flyway_schema_history set checksum = checksum + 1 where version = '1'");

            assertThatThrownBy(() -> flyway(db, "db/telemetry").migrate())
                    .hasMessageContaining("checksum mismatch")
                    .hasMessageContaining("1");
        }
    }

    private static Flyway flyway(TestDatabase db, String location) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db.jdbcUrl());
        ds.setUser(db.settings().user());
        ds.setPassword(db.settings().password());
        return Flyway.configure()
                .dataSource(ds)
                .schemas("telemetry")
                .createSchemas(true)
                .locations("classpath:" + location)
                .load();
    }

    private static Map<String, Integer> checksums(TestDatabase db) throws SQLException {
        Map<String, Integer> result = new TreeMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "select version, checksum from telemetry.flyway_schema_history where version is not null")) {
            while (rs.next()) {
                result.put(rs.getString(1), rs.getInt(2));
            }
        }
        return result;
    }

    private static void execute(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String query(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
