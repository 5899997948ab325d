package dev.loupe.aggregator.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.aggregator.timescale.TimescaleDecision.Facts;
import dev.loupe.aggregator.timescale.TimescaleDecisionTest.Case;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The path on the PostgreSQL the tests run on, and the migration's copy of the rule. On a server without a preloaded
 * TimescaleDB (this machine: none installed; or installed but not preloaded) the application must take the plain
 * path and say why; pointed at a preloaded TimescaleDB (LOUPE_PG_PORT) it must use hypertables.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class TimescaleDbTest {
    @Inject
    TimescaleDb timescale;

    @Inject
    Pool pool;

    @Test
    void theMigrationsRuleAnswersLikeTheJavaRuleInEveryCase() {
        for (Case c : TimescaleDecisionTest.CASES) {
            Facts f = c.facts();
            Row row = pool.preparedQuery("select use_schema, reason from telemetry.timescaledb_decision("
                            + "$1, $2, $3, $4, $5, $6, $7)")
                    .execute(Tuple.from(Arrays.asList(
                            f.available(),
                            f.preloadLibraries(),
                            f.installedSchema(),
                            f.installedVersion(),
                            f.availableVersion(),
                            f.superuser(),
                            f.roleName())))
                    .await()
                    .indefinitely()
                    .iterator()
                    .next();
            assertThat(row.getString("use_schema")).as("%s", f).isEqualTo(c.schema());
            assertThat(row.getString("reason")).as("%s", f).isEqualTo(c.reason());
        }
    }

    /** The start-up check reads this server's settings, and warns exactly when one of them is off. */
    @Test
    void theAutovacuumCheckReadsThisServersSettings() {
        Row row = pool.query(AutovacuumCheck.FACTS_SQL)
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next();
        String autovacuum = row.getString("autovacuum");
        String trackCounts = row.getString("track_counts");
        assertThat(autovacuum).isIn("on", "off");
        assertThat(trackCounts).isIn("on", "off");
        assertThat(AutovacuumCheck.warning(autovacuum, trackCounts).isPresent())
                .isEqualTo(autovacuum.equals("off") || trackCounts.equals("off"));
    }

    /**
     * The pool's connections plan every execution afresh, never JIT-compile, and cost index probes for memory
     * and SSD (application.properties): the server's own defaults are the opposite (plan_cache_mode auto, jit on,
     * random_page_cost 4), so this reads what the connection options changed.
     */
    @Test
    void thePoolsConnectionsPlanEachQueryAndNeverCompileIt() {
        Row row = pool.query("select current_setting('jit') as jit, current_setting('plan_cache_mode') as mode, "
                        + "current_setting('random_page_cost') as page_cost, "
                        + "(select boot_val from pg_settings where name = 'jit') as server_jit")
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next();
        assertThat(row.getString("server_jit")).isEqualTo("on");
        assertThat(row.getString("jit")).isEqualTo("off");
        assertThat(row.getString("mode")).isEqualTo("force_custom_plan");
        assertThat(row.getString("page_cost")).isEqualTo("1.1");
    }

    @Test
    void thisServerTakesThePathItsFactsCallFor() {
        Row row = pool.query(TimescaleDecision.FACTS_SQL)
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next();
        String preload = row.getString("preload_libraries");
        boolean preloaded = preload != null && TimescaleDecision.preloads(preload);
        TimescaleDb.Path path = timescale.path();
        if (Boolean.parseBoolean(System.getenv("LOUPE_EXPECT_TIMESCALEDB"))) {
            // set where the server is known to be a preloaded TimescaleDB (.github/workflows/timescaledb.yml): a
            // fallback there is a failure, not another valid path
            assertThat(path.reason()).as("LOUPE_EXPECT_TIMESCALEDB is set").endsWith(": using hypertables");
        }
        if (!row.getBoolean("available")) {
            assertThat(path.schema()).isEmpty();
            assertThat(path.reason())
                    .isEqualTo("TimescaleDB not available (no timescaledb extension on this server): "
                            + "using plain PostgreSQL tables");
            assertThat(count("select count(*) as n from pg_extension where extname = 'timescaledb'"))
                    .isZero();
        } else if (!preloaded) {
            // installed on the server but not in shared_preload_libraries: "create extension" would be FATAL
            assertThat(path.schema()).isEmpty();
            assertThat(path.reason())
                    .isEqualTo("TimescaleDB available but not preloaded (shared_preload_libraries='" + preload
                            + "'): using plain PostgreSQL tables");
            assertThat(count("select count(*) as n from pg_extension where extname = 'timescaledb'"))
                    .isZero();
        } else {
            assertThat(path.schema()).contains(row.getString("installed_schema"));
            assertThat(path.reason()).endsWith(": using hypertables");
            assertThat(count("select count(*) as n from timescaledb_information.hypertables "
                            + "where hypertable_schema = 'telemetry'"))
                    .isEqualTo(16);
        }
    }

    private long count(String sql) {
        return pool.query(sql)
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong("n");
    }
}
