package dev.loupe.evals.judge;

import static dev.loupe.evals.support.EvalTests.configure;
import static dev.loupe.evals.support.EvalTests.count;
import static dev.loupe.evals.support.EvalTests.decision;
import static dev.loupe.evals.support.EvalTests.published;
import static dev.loupe.evals.support.EvalTests.query;
import static dev.loupe.evals.support.EvalTests.send;
import static dev.loupe.evals.support.EvalTests.unique;
import static dev.loupe.evals.support.FakeChatCompletions.ok;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.evals.results.EvalPublisher;
import dev.loupe.evals.results.EvalResults;
import dev.loupe.evals.results.ResultStore;
import dev.loupe.evals.support.EvalTests;
import dev.loupe.evals.support.FakeChatCompletions;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class JudgeTest {
    private static final String RUBRIC = "The answer states the 30-day refund window and nothing contradicting it";

    @Inject
    JudgeWorker worker;

    @Inject
    JudgeQueue queue;

    @Inject
    EgressPolicy egress;

    @Inject
    Vertx vertx;

    @Inject
    JudgeConfig config;

    @Inject
    EvalResults results;

    @Inject
    ResultStore store;

    @Inject
    EvalPublisher publisher;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    @Inject
    Pool pool;

    FakeChatCompletions judge;

    @BeforeEach
    void reset() {
        judge = FakeJudgeResource.server();
        judge.reset();
        // jobs left by an earlier test must not be claimed by this one's drain
        query(pool, "update evals.judge_jobs set state = 'done' where state = 'queued'");
    }

    @Test
    void judgeScoresAQueuedDecisionAndRecordsItsOwnCost() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-judge"), "Refunds are possible within 30 days.");
        judge.then(ok("{\"score\": 0.9, \"reason\": \"states the 30-day window\"}", 812, 23));
        send(List.of(d));
        awaitQueued(d);

        assertThat(worker.drain(Instant.now()).await().atMost(Duration.ofSeconds(20)))
                .isEqualTo(1);

        EvalResult result = published(d.decisionId(), 1, r -> r.evaluator().equals("llm_judge"))
                .get(0);
        assertThat(result.score()).isEqualTo(0.9);
        assertThat(result.passed()).isTrue();
        assertThat(result.reason()).isEqualTo("states the 30-day window");
        assertThat(result.trigger()).isEqualTo(EvalTrigger.SAMPLED);
        assertThat(result.dimensions()).containsEntry("tier", "pro").containsEntry("model", "gpt-4o");
        Row row = query(pool, """
                select judge_input_tokens, judge_output_tokens, judge_cost_usd from evals.results
                where project_id = $1 and decision_id = $2 and evaluator = 'llm_judge'""", d.projectId(), d.decisionId()).iterator().next();
        assertThat(row.getInteger("judge_input_tokens")).isEqualTo(812);
        assertThat(row.getInteger("judge_output_tokens")).isEqualTo(23);
        // 812 × $0.15/M + 23 × $0.60/M at the default prices
        assertThat(row.getBigDecimal("judge_cost_usd")).isEqualByComparingTo(new BigDecimal("0.00013560"));

        JsonObject sent = judge.received().get(0).body();
        assertThat(judge.received().get(0).authorization()).isEqualTo("Bearer " + FakeJudgeResource.API_KEY);
        assertThat(sent.getString("model")).isEqualTo("gpt-4o-mini");
        assertThat(sent.getInteger("temperature")).isZero();
        assertThat(sent.getJsonObject("response_format").getString("type")).isEqualTo("json_object");
        String user = sent.getJsonArray("messages").getJsonObject(1).getString("content");
        assertThat(user)
                .contains(RUBRIC)
                .contains("Refunds are possible within 30 days.")
                .contains("doc-7");
        assertThat(sent.getJsonArray("messages").getJsonObject(0).getString("role"))
                .isEqualTo("system");
    }

    /**
     * Two replicas drain the same queue at the same moment, each claiming up to its batch: every decision is sent to
     * the judge once, and gets one result, however the claims fall between them.
     */
    @Test
    void twoReplicasDrainingTheQueueAtOnceJudgeEachDecisionOnce() {
        String feature = judged();
        List<DecisionRecord> decisions = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = unique("d-replicas-" + i);
            // the decision's id in its answer, so each judge call says which decision it judged
            decisions.add(decision(feature, id, "Refunds are possible within 30 days (case " + id + ")."));
        }
        FakeChatCompletions.Reply answer = ok("{\"score\": 0.8, \"reason\": \"fine\"}", 10, 5);
        judge.always(new FakeChatCompletions.Reply(answer.status(), answer.body(), 50));
        send(decisions);
        decisions.forEach(this::awaitQueued);
        // a second replica: its own client (its own calls in flight) and budget, the same database and broker
        JudgeBudget otherBudget = new JudgeBudget(config);
        JudgeWorker other = new JudgeWorker(
                queue,
                new JudgeClient(config, egress, otherBudget, clock, vertx),
                otherBudget,
                config,
                results,
                store,
                publisher,
                pool,
                clock,
                registry);

        Instant now = Instant.now();
        int judged = 0;
        for (int round = 0; round < 3 && judged < decisions.size(); round++) {
            judged += Uni.combine()
                    .all()
                    // the second starts while the first's calls are in flight (each answer takes 50 ms)
                    .unis(
                            worker.drain(now),
                            Uni.createFrom()
                                    .voidItem()
                                    .onItem()
                                    .delayIt()
                                    .by(Duration.ofMillis(20))
                                    .chain(() -> other.drain(now)))
                    .with(Integer::sum)
                    .await()
                    .atMost(Duration.ofSeconds(30));
        }

        assertThat(judged).isEqualTo(decisions.size());
        Map<String, Long> calls = judge.received().stream()
                .map(r -> r.body().getJsonArray("messages").getJsonObject(1).getString("content"))
                .flatMap(content ->
                        decisions.stream().map(DecisionRecord::decisionId).filter(content::contains))
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(calls)
                .hasSize(decisions.size())
                .allSatisfy(
                        (id, n) -> assertThat(n).as("judge calls for %s", id).isEqualTo(1L));
        for (DecisionRecord d : decisions) {
            assertThat(count(
                            pool,
                            "select count(*) from evals.results where project_id = $1 and decision_id = $2"
                                    + " and evaluator = 'llm_judge'",
                            d.projectId(),
                            d.decisionId()))
                    .isEqualTo(1L);
        }
    }

    @Test
    void aRateLimitedCallIsRetriedWithinTheSameRun() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-429"), "Refunds take 90 days.");
        judge.then(FakeChatCompletions.rateLimited(), ok("{\"score\": 0.2, \"reason\": \"wrong window\"}", 10, 5));
        send(List.of(d));
        awaitQueued(d);

        assertThat(worker.drain(Instant.now()).await().atMost(Duration.ofSeconds(20)))
                .isEqualTo(1);

        EvalResult result = published(d.decisionId(), 1, r -> r.evaluator().equals("llm_judge"))
                .get(0);
        assertThat(result.score()).isEqualTo(0.2);
        assertThat(result.passed()).as("0.2 is under the default threshold 0.5").isFalse();
        assertThat(judge.received()).hasSize(2);
    }

    @Test
    void anOutageDelaysTheEvaluationButLosesNothing() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-outage"), "Refunds are possible within 30 days.");
        judge.always(FakeChatCompletions.unavailable());
        send(List.of(d));
        awaitQueued(d);
        Instant now = Instant.now();

        assertThat(worker.drain(now).await().atMost(Duration.ofSeconds(20))).isZero();
        Row job = job(d);
        assertThat(job.getString("state")).isEqualTo("queued");
        assertThat(job.getString("last_error")).contains("503");
        assertThat(job.getOffsetDateTime("due_at").toInstant()).isAfter(now.plusSeconds(20));
        assertThat(resultCount(d))
                .as("an unreachable judge is not a failing score")
                .isZero();
        int calls = judge.received().size();

        assertThat(worker.drain(now.plusSeconds(5)).await().atMost(Duration.ofSeconds(20)))
                .isZero();
        assertThat(judge.received()).as("not due yet: the judge is left alone").hasSize(calls);

        judge.always(ok("{\"score\": 1, \"reason\": \"correct\"}", 10, 5));
        assertThat(worker.drain(now.plus(Duration.ofMinutes(2))).await().atMost(Duration.ofSeconds(20)))
                .isEqualTo(1);
        assertThat(published(d.decisionId(), 1, r -> r.evaluator().equals("llm_judge"))
                        .get(0)
                        .score())
                .isEqualTo(1.0);
        assertThat(job(d).getString("state")).isEqualTo("done");
        assertThat(resultCount(d)).isEqualTo(1);
    }

    @Test
    void aTimeoutIsAnOutageToo() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-slow"), "Refunds are possible within 30 days.");
        judge.always(FakeChatCompletions.slow(3_000));
        send(List.of(d));
        awaitQueued(d);

        assertThat(worker.drain(Instant.now()).await().atMost(Duration.ofSeconds(30)))
                .isZero();
        assertThat(job(d).getString("state")).isEqualTo("queued");
        assertThat(job(d).getString("last_error")).contains("did not answer");
        assertThat(resultCount(d)).isZero();
    }

    @Test
    void aJudgeThatKeepsAnsweringProseIsNeverScored() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-prose"), "Refunds are possible within 30 days.");
        judge.always(ok("Sure! I would rate this answer 0.8 out of 1.", 10, 12));
        send(List.of(d));
        awaitQueued(d);
        Instant now = Instant.now();

        for (int run = 0; run < JudgeWorker.MAX_MALFORMED_RUNS; run++) {
            assertThat(worker.drain(now.plus(Duration.ofHours(run))).await().atMost(Duration.ofSeconds(20)))
                    .isZero();
        }
        Row job = job(d);
        assertThat(job.getString("state")).isEqualTo("unparseable");
        assertThat(job.getString("last_error")).contains("strict JSON");
        assertThat(resultCount(d)).isZero();
    }

    @Test
    void runsLostToAnOutageDoNotCountAsMalformedAnswers() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-outage-then-prose"), "Refunds are possible within 30 days.");
        judge.always(FakeChatCompletions.unavailable());
        send(List.of(d));
        awaitQueued(d);
        Instant now = Instant.now();
        for (int run = 0; run < JudgeWorker.MAX_MALFORMED_RUNS; run++) {
            worker.drain(now.plus(Duration.ofHours(run))).await().atMost(Duration.ofSeconds(20));
        }
        judge.always(ok("Sure, 0.8.", 10, 3));
        worker.drain(now.plus(Duration.ofHours(10))).await().atMost(Duration.ofSeconds(20));
        Row job = job(d);
        assertThat(job.getString("state"))
                .as("one malformed run of three allowed")
                .isEqualTo("queued");
        assertThat(job.getInteger("malformed_runs")).isEqualTo(1);
        assertThat(job.getInteger("attempts")).isEqualTo(JudgeWorker.MAX_MALFORMED_RUNS + 1);
    }

    @Test
    void aReplicaThatLostItsClaimCannotOverwriteTheJob() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-lost-claim"), "Refunds are possible within 30 days.");
        send(List.of(d));
        awaitQueued(d);
        Instant now = Instant.now();
        JudgeQueue.Claimed first = queue.claim(now, 10, Duration.ofSeconds(1)).await().indefinitely().stream()
                .filter(c -> c.decisionId().equals(d.decisionId()))
                .findFirst()
                .orElseThrow();
        // the lease ran out and another replica claimed the job
        JudgeQueue.Claimed second =
                queue.claim(now.plusSeconds(5), 10, Duration.ofMinutes(5)).await().indefinitely().stream()
                        .filter(c -> c.decisionId().equals(d.decisionId()))
                        .findFirst()
                        .orElseThrow();
        assertThat(second.leaseToken()).isNotEqualTo(first.leaseToken());

        queue.end(first, "abandoned", "stale replica", now).await().indefinitely();
        assertThat(job(d).getString("state"))
                .as("the stale claim changed nothing")
                .isEqualTo("queued");
        queue.end(second, "abandoned", "current holder", now).await().indefinitely();
        assertThat(job(d).getString("state")).isEqualTo("abandoned");
    }

    @Test
    void aScoreOutsideZeroToOneIsMalformed() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-range"), "Refunds are possible within 30 days.");
        judge.always(ok("{\"score\": 8, \"reason\": \"out of ten\"}", 10, 12));
        send(List.of(d));
        awaitQueued(d);

        assertThat(worker.drain(Instant.now()).await().atMost(Duration.ofSeconds(20)))
                .isZero();
        assertThat(job(d).getString("last_error")).contains("no score between 0 and 1");
        assertThat(resultCount(d)).isZero();
    }

    @Test
    void aManualEvaluationAsksTheJudgeAtOnce() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-manual"), "Refunds are possible within 30 days.");
        send(List.of(d));
        awaitQueued(d);
        judge.then(ok("{\"score\": 0.7, \"reason\": \"mostly right\"}", 50, 8));

        var body = given().header("Authorization", "Bearer " + EvalTests.adminKey())
                .contentType("application/json")
                .body("{\"decisionId\": \"" + d.decisionId() + "\"}")
                .post("/v1/evaluations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getList("results.evaluator")).containsExactly("llm_judge");
        assertThat(body.getList("results.trigger")).containsExactly("MANUAL");
        assertThat(body.getFloat("results[0].score")).isEqualTo(0.7f);
        assertThat(body.getList("pending")).isEmpty();
        assertThat(published(d.decisionId(), 1, r -> r.trigger() == EvalTrigger.MANUAL)
                        .get(0)
                        .score())
                .isEqualTo(0.7);
    }

    @Test
    void aManualEvaluationWithTheJudgeDownLeavesItPending() {
        String feature = judged();
        DecisionRecord d = decision(feature, unique("d-manual-down"), "Refunds are possible within 30 days.");
        send(List.of(d));
        awaitQueued(d);
        judge.always(FakeChatCompletions.unavailable());

        var body = given().header("Authorization", "Bearer " + EvalTests.adminKey())
                .contentType("application/json")
                .body("{\"decisionId\": \"" + d.decisionId() + "\"}")
                .post("/v1/evaluations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getList("results")).isEmpty();
        assertThat(body.getString("pending[0].evaluator")).isEqualTo("llm_judge");
        assertThat(body.getString("pending[0].reason")).contains("503").contains("queued");
        assertThat(count(pool, """
                select count(*) from evals.judge_jobs
                where project_id = $1 and decision_id = $2 and trigger = 'MANUAL' and state = 'queued'""", d.projectId(), d.decisionId())).isEqualTo(1);
    }

    @Test
    void anUnknownDecisionIsNotFound() {
        given().header("Authorization", "Bearer " + EvalTests.adminKey())
                .contentType("application/json")
                .body("{\"decisionId\": \"never-seen\"}")
                .post("/v1/evaluations")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        given().header("Authorization", "Bearer " + EvalTests.adminKey())
                .contentType("application/json")
                .body("{}")
                .post("/v1/evaluations")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", org.hamcrest.Matchers.equalTo("decisionId"));
    }

    /** A fresh feature evaluated only by the judge, every decision sampled. */
    private static String judged() {
        String feature = unique("judged");
        configure(feature, """
                {"samplingRate": 1.0, "evaluators": [{"name": "llm_judge", "config": {"rubric": "%s"}}]}""".formatted(RUBRIC));
        return feature;
    }

    private void awaitQueued(DecisionRecord d) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> count(
                                pool,
                                "select count(*) from evals.judge_jobs where project_id = $1 and decision_id = $2",
                                d.projectId(),
                                d.decisionId())
                        == 1);
    }

    private Row job(DecisionRecord d) {
        return query(
                        pool,
                        "select * from evals.judge_jobs where project_id = $1 and decision_id = $2 and trigger = 'SAMPLED'",
                        d.projectId(),
                        d.decisionId())
                .iterator()
                .next();
    }

    private long resultCount(DecisionRecord d) {
        return count(
                pool,
                "select count(*) from evals.results where project_id = $1 and decision_id = $2",
                d.projectId(),
                d.decisionId());
    }
}
