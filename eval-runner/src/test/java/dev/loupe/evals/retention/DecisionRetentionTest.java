package dev.loupe.evals.retention;

import static dev.loupe.evals.support.EvalTests.count;
import static dev.loupe.evals.support.EvalTests.query;
import static dev.loupe.evals.support.EvalTests.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class DecisionRetentionTest {
    @Inject
    Pool pool;

    @Inject
    DecisionRetention retention;

    @Test
    void decisionsPastTheRetentionAreForgottenAndResultsKept() {
        String project = unique("p-retention");
        Instant now = Instant.now();
        insert(project, "old", now.minus(Duration.ofDays(31)));
        insert(project, "recent", now.minus(Duration.ofDays(29)));
        query(pool, """
                insert into evals.results (project_id, decision_id, evaluator, evaluator_version, trigger, eval_id, score,
                                           passed, evaluated_at, record)
                values ($1, 'old', 'refusal', '1', 'SAMPLED', 'e-old', 1, true, $2, '{}')""", project, now.minus(Duration.ofDays(31)).atOffset(ZoneOffset.UTC));

        query(
                pool,
                """
                insert into evals.sample_minutes (project_id, feature, minute, requested, touched_at) values
                ($1, 'idle', $2, 5, $2), ($1, 'backfill', $2, 5, $3)""",
                project,
                now.minus(Duration.ofDays(40)).atOffset(ZoneOffset.UTC),
                now.atOffset(ZoneOffset.UTC));
        query(pool, """
                insert into evals.judge_jobs (project_id, decision_id, evaluator, evaluator_version, trigger, config,
                    threshold, state, due_at, created_at, updated_at)
                values ($1, 'old', 'llm_judge', '1', 'SAMPLED', '{}', 0.5, 'done', $2, $2, $2),
                       ($1, 'old', 'llm_judge', '1', 'MANUAL', '{}', 0.5, 'queued', $2, $2, $2)""", project, now.minus(Duration.ofDays(31)).atOffset(ZoneOffset.UTC));

        assertThat(retention.run().await().atMost(Duration.ofSeconds(30))).isGreaterThanOrEqualTo(1L);

        assertThat(count(
                        pool,
                        "select count(*) from evals.sample_minutes where project_id = $1 and feature = 'idle'",
                        project))
                .isZero();
        assertThat(count(
                        pool,
                        "select count(*) from evals.sample_minutes where project_id = $1 and feature = 'backfill'",
                        project))
                .as("an old minute still being counted keeps its counter")
                .isEqualTo(1);
        assertThat(count(
                        pool,
                        "select count(*) from evals.judge_jobs where project_id = $1 and state = 'done'",
                        project))
                .isZero();
        assertThat(count(
                        pool,
                        "select count(*) from evals.judge_jobs where project_id = $1 and state = 'queued'",
                        project))
                .as("unfinished judge work is kept")
                .isEqualTo(1);

        assertThat(count(
                        pool,
                        "select count(*) from evals.decisions where project_id = $1 and decision_id = 'old'",
                        project))
                .isZero();
        assertThat(count(
                        pool,
                        "select count(*) from evals.decisions where project_id = $1 and decision_id = 'recent'",
                        project))
                .isEqualTo(1);
        assertThat(count(pool, "select count(*) from evals.results where project_id = $1", project))
                .as("the score history stays")
                .isEqualTo(1);
    }

    private void insert(String project, String id, Instant receivedAt) {
        query(pool, """
                insert into evals.decisions (project_id, decision_id, feature, occurred_at, received_at, record, sampling)
                values ($1, $2, 'f', $3, $3, '{}', 'skipped')""", project, id, receivedAt.atOffset(ZoneOffset.UTC));
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
