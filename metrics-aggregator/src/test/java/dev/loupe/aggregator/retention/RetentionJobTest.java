package dev.loupe.aggregator.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Retention on plain PostgreSQL (the fallback path): rows older than their retention go, the rest stay. */
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

    @Test
    void rowsOlderThanTheirRetentionAreRemovedAndNewerOnesKept() {
        insertSpan("old-span", NOW.minusSeconds(31L * 86400));
        insertSpan("new-span", NOW.minusSeconds(29L * 86400));
        insertRollup("1m", NOW.minusSeconds(15L * 86400));
        insertRollup("1m", NOW.minusSeconds(13L * 86400));
        insertRollup("1h", NOW.minusSeconds(401L * 86400));
        insertRollup("1h", NOW.minusSeconds(399L * 86400));

        long removed = retention.run(NOW).await().indefinitely();

        assertThat(removed).isEqualTo(3);
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
