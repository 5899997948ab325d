package dev.loupe.alerting.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.alerting.retention.AlertingRetention;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AlertingRetentionTest {
    @Inject
    Pool pool;

    @Inject
    AlertingRetention retention;

    @Test
    void oldWindowsAndOldResolvedAlertsGoAndWhatBaselinesOrPeopleStillNeedStays() {
        String project = "p-ret-" + Long.toHexString(System.nanoTime());
        Instant now = Instant.now();
        window(project, now.minus(Duration.ofDays(9)));
        window(project, now.minus(Duration.ofDays(6)));
        alert(project, "old-resolved", "resolved", now.minus(Duration.ofDays(40)));
        alert(project, "old-firing", "firing", now.minus(Duration.ofDays(40)));
        alert(project, "new-resolved", "resolved", now.minus(Duration.ofDays(2)));

        assertThat(retention.run().await().atMost(Duration.ofSeconds(30))).isGreaterThanOrEqualTo(3L);

        assertThat(count("select count(*) from alerting.metric_windows where project_id = $1", project))
                .isEqualTo(1);
        assertThat(count(
                        "select count(*) from alerting.alerts where project_id = $1 and fingerprint = 'old-resolved'",
                        project))
                .isZero();
        assertThat(count("select count(*) from alerting.alerts where project_id = $1", project))
                .as("a firing alert and a recent resolve stay")
                .isEqualTo(2);
        assertThat(count("select count(*) from alerting.alert_transitions where project_id = $1", project))
                .isEqualTo(2);
    }

    private void window(String project, Instant end) {
        pool.preparedQuery("""
                insert into alerting.metric_windows (project_id, metric, dimensions_key, dimensions, window_start,
                    window_end, value, sample_size, revision) values ($1, 'cost_usd', '', '{}', $2, $3, 1, 1, 0)""")
                .execute(Tuple.of(project, end.minusSeconds(60).atOffset(ZoneOffset.UTC), end.atOffset(ZoneOffset.UTC)))
                .await()
                .indefinitely();
    }

    private void alert(String project, String fingerprint, String state, Instant updated) {
        var at = updated.atOffset(ZoneOffset.UTC);
        pool.preparedQuery("""
                insert into alerting.alerts (project_id, fingerprint, rule_id, labels, state, updated_at)
                values ($1, $2, 'r', '{}', $3, $4)""")
                .execute(Tuple.of(project, fingerprint, state, at))
                .await()
                .indefinitely();
        pool.preparedQuery("""
                insert into alerting.alert_transitions (project_id, fingerprint, state, window_end, event, recorded_at,
                    published_at) values ($1, $2, $3, $4, '{}', $4, $4)""")
                .execute(Tuple.of(project, fingerprint, state, at))
                .await()
                .indefinitely();
    }

    private long count(String sql, String project) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(project))
                .await()
                .atMost(Duration.ofSeconds(5))
                .iterator()
                .next()
                .getLong(0);
    }

    /** Replicas schedule retention on their own phases; one of those asking in a period runs it. */
    @Test
    void oneReplicaRunsRetentionPerPeriodHoweverManyAskAtOnce() {
        Instant t = Instant.parse("2100-01-01T00:00:00Z");
        List<Boolean> atOnce = Multi.createFrom()
                .range(0, 4)
                .onItem()
                .transformToUniAndMerge(i -> retention.claimPeriod(t))
                .collect()
                .asList()
                .await()
                .atMost(Duration.ofSeconds(30));
        assertThat(atOnce).hasSize(4).containsOnlyOnce(true);
        assertThat(retention.claimPeriod(t.plus(Duration.ofMinutes(30))).await().atMost(Duration.ofSeconds(30)))
                .isFalse();
        assertThat(retention.claimPeriod(t.plus(Duration.ofMinutes(54))).await().atMost(Duration.ofSeconds(30)))
                .isTrue();
    }
}
