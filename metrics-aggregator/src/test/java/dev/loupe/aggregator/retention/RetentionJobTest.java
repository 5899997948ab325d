package dev.loupe.aggregator.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.aggregator.timescale.TimescaleDb;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Retention on the path the application detected ({@link TimescaleDb}): rows older than their retention go, the rest
 * stay. Plain PostgreSQL deletes and counts rows; TimescaleDB drops and counts whole chunks (each old row below lies
 * more than one chunk interval before its cut-off, so its chunk is entirely older and goes; each new row's chunk stays).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RetentionJobTest {
    /** Far before every other test's data, so this test's "now" removes only its own rows. */
    static final Instant NOW = Instant.parse("2020-01-01T00:00:00Z");

    @Inject
    RetentionJob retention;

    @Inject
    Pool pool;

    @Inject
    TimescaleDb timescale;

    /**
     * Replicas schedule retention on their own phases; the first to ask in a period runs it and the others skip, so
     * it runs once per period (0.9 of its length counts as taken, the rest is jitter's). Retention's schedule is off
     * in the tests, so the period is the 1-hour default, and nothing else claims the job.
     */
    @Test
    void oneReplicaRunsRetentionPerPeriodHoweverManyAskAtOnce() {
        Instant t = Instant.parse("2100-01-01T00:00:00Z");
        List<Boolean> atOnce = Multi.createFrom()
                .range(0, 8)
                .onItem()
                .transformToUniAndMerge(i -> retention.claimPeriod(t))
                .collect()
                .asList()
                .await()
                .indefinitely();
        assertThat(atOnce).hasSize(8).containsOnlyOnce(true);
        assertThat(retention.claimPeriod(t.plus(Duration.ofMinutes(30))).await().indefinitely())
                .as("half a period later")
                .isFalse();
        assertThat(retention.claimPeriod(t.plus(Duration.ofMinutes(53))).await().indefinitely())
                .isFalse();
        assertThat(retention.claimPeriod(t.plus(Duration.ofMinutes(54))).await().indefinitely())
                .as("0.9 of a period later")
                .isTrue();
        assertThat(retention.claimPeriod(t.plus(Duration.ofMinutes(55))).await().indefinitely())
                .isFalse();
        Row row = pool.query("select started_at, started_by from telemetry.job_runs where job = 'retention'")
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next();
        assertThat(row.getOffsetDateTime("started_at").toInstant()).isEqualTo(t.plus(Duration.ofMinutes(54)));
        assertThat(row.getString("started_by")).matches(".+/\\d+");
    }

    @Test
    void rowsOlderThanTheirRetentionAreRemovedAndNewerOnesKept() {
        // raw 30 days in 1-day chunks, 1-minute rollups 14 days in 7-day chunks, hourly 400 days in 30-day chunks
        insertSpan("old-span", NOW.minusSeconds(33L * 86400));
        insertSpan("new-span", NOW.minusSeconds(29L * 86400));
        insertRollup("1m", NOW.minusSeconds(22L * 86400));
        insertRollup("1m", NOW.minusSeconds(13L * 86400));
        insertRollup("1h", NOW.minusSeconds(431L * 86400));
        insertRollup("1h", NOW.minusSeconds(399L * 86400));
        // a trace's attribution outlives its spans by two days (spans read it: SpanAttribution)
        insertTrace("trace-gone", NOW.minusSeconds(33L * 86400));
        insertTrace("trace-kept", NOW.minusSeconds(31L * 86400));

        RetentionJob.Removed removed = retention.run(NOW).await().indefinitely();

        if (timescale.path().schema().isPresent()) {
            assertThat(removed).isEqualTo(new RetentionJob.Removed(1, 3));
        } else {
            assertThat(removed).isEqualTo(new RetentionJob.Removed(4, 0));
        }
        assertThat(
                        count(
                                "select string_agg(trace_id, ',') as v from telemetry.trace_features where project_id = 'retention'"))
                .isEqualTo("trace-kept");
        assertThat(count("select span_id as v from telemetry.spans where project_id = 'retention'"))
                .isEqualTo("new-span");
        assertThat(count("select count(*)::text as v from telemetry.span_rollup_1m where project_id = 'retention'"))
                .isEqualTo("1");
        assertThat(count("select count(*)::text as v from telemetry.span_rollup_1h where project_id = 'retention'"))
                .isEqualTo("1");
    }

    private void insertSpan(String id, Instant start) {
        pool.preparedQuery(
                        "insert into telemetry.spans (project_id, trace_id, span_id, kind, start_time, status, "
                                + "schema_version) values ('retention', 'ffffffffffffffffffffffffffffffff', $1, 'LLM', $2, 'SUCCESS', 1)")
                .execute(Tuple.of(id, start.atOffset(ZoneOffset.UTC)))
                .await()
                .indefinitely();
    }

    private void insertTrace(String traceId, Instant time) {
        pool.preparedQuery("insert into telemetry.trace_features (project_id, trace_id, feature, trace_time) "
                        + "values ('retention', $1, 'f', $2)")
                .execute(Tuple.of(traceId, time.atOffset(ZoneOffset.UTC)))
                .await()
                .indefinitely();
    }

    private void insertRollup(String granularity, Instant bucket) {
        pool.preparedQuery(
                        "insert into telemetry.span_rollup_" + granularity
                                + " (project_id, bucket, kind, feature, model, "
                                + "status, error_type, tool_name, span_count) values ('retention', $1, 'LLM', '', '', 'SUCCESS', '', '', 1)")
                .execute(Tuple.of(bucket.atOffset(ZoneOffset.UTC)))
                .await()
                .indefinitely();
    }

    private String count(String sql) {
        return pool.query(sql)
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getString("v");
    }
}
