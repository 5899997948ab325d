package dev.loupe.evals.intake;

import static dev.loupe.evals.support.EvalTests.configure;
import static dev.loupe.evals.support.EvalTests.count;
import static dev.loupe.evals.support.EvalTests.decision;
import static dev.loupe.evals.support.EvalTests.project;
import static dev.loupe.evals.support.EvalTests.published;
import static dev.loupe.evals.support.EvalTests.query;
import static dev.loupe.evals.support.EvalTests.send;
import static dev.loupe.evals.support.EvalTests.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.Topics;
import dev.loupe.evals.judge.JudgeWorker;
import dev.loupe.evals.support.FakeChatCompletions;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class EvaluationPipelineTest {
    @Inject
    Pool pool;

    @Inject
    JudgeWorker worker;

    @Test
    void sampledDecisionsAreScoredByTheFeaturesEvaluatorsAndPublishedOnce() {
        String feature = unique("support-rag");
        configure(feature, """
                {"samplingRate": 1.0, "evaluators": [
                  {"name": "contains_all", "config": {"values": ["30 days"]}},
                  {"name": "refusal"},
                  {"name": "latency_budget", "config": {"maxMs": 1900}}]}""");
        DecisionRecord good = decision(feature, unique("d-good"), "Refunds are accepted within 30 days of purchase.");
        DecisionRecord refused =
                decision(feature, unique("d-refused"), "I'm sorry, but I can't help with that request.");
        send(List.of(good, refused));

        Map<String, EvalResult> forGood = byEvaluator(published(good.decisionId(), 3, r -> true));
        assertThat(forGood.get("contains_all").passed()).isTrue();
        assertThat(forGood.get("refusal").passed()).isTrue();
        assertThat(forGood.get("latency_budget").score())
                .as("950 ms within 1,900")
                .isEqualTo(1.0);
        Map<String, EvalResult> forRefused = byEvaluator(published(refused.decisionId(), 3, r -> true));
        assertThat(forRefused.get("refusal").passed()).isFalse();
        assertThat(forRefused.get("refusal").reason()).containsIgnoringCase("I'm sorry, but I can't");
        assertThat(forRefused.get("contains_all").score()).isZero();

        EvalResult one = forGood.get("refusal");
        assertThat(one.trigger()).isEqualTo(EvalTrigger.SAMPLED);
        assertThat(one.feature()).isEqualTo(feature);
        assertThat(one.evaluatorVersion()).isEqualTo("1");
        assertThat(one.dimensions())
                .containsEntry("tier", "pro")
                .containsEntry("topic", "refunds")
                .containsEntry("model", "gpt-4o")
                .containsEntry("promptVersion", "v3");

        // redelivered: nothing new is stored, and what is published again is the same result
        send(List.of(good));
        List<EvalResult> twice = published(good.decisionId(), 6, r -> true);
        assertThat(twice.stream().map(r -> r.evalId() + "@" + r.evaluatedAt()).distinct())
                .hasSize(3);
        assertThat(count(
                        pool,
                        "select count(*) from evals.results where project_id = $1 and decision_id = $2",
                        project(),
                        good.decisionId()))
                .isEqualTo(3);
        // stored once, in columns: the published record is not kept beside them, and reads back whole
        assertThat(count(
                        pool,
                        "select count(*) from evals.results where project_id = $1 and decision_id = $2 and record is null",
                        project(),
                        good.decisionId()))
                .isEqualTo(3);
        assertThat(byEvaluator(twice.subList(3, 6))).isEqualTo(forGood);
    }

    @Test
    void aResultStoredWithItsRecordBeforeV4IsRepublishedFromThatRecord() {
        String feature = unique("pre-v4");
        configure(feature, "{\"samplingRate\": 1.0, \"evaluators\": [{\"name\": \"refusal\"}]}");
        DecisionRecord d = decision(feature, unique("d-pre-v4"), "Refunds are accepted within 30 days.");
        send(List.of(d));
        EvalResult first = published(d.decisionId(), 1, r -> true).get(0);
        // what a row written before V4 looks like: the published record, no schema version or dimensions
        query(pool, """
                update evals.results set record = jsonb_set($3::text::jsonb, '{reason}', '"as recorded"'),
                       schema_version = null, dimensions = null
                where project_id = $1 and decision_id = $2""", project(), d.decisionId(), dev.loupe.contracts.json.EventJson.encode(first));

        send(List.of(d));
        EvalResult again = published(d.decisionId(), 2, r -> true).get(1);
        assertThat(again.reason()).isEqualTo("as recorded");
        assertThat(again.evalId()).isEqualTo(first.evalId());
        assertThat(again.evaluatedAt()).isEqualTo(first.evaluatedAt());
        assertThat(again.dimensions()).isEqualTo(first.dimensions());
    }

    @Test
    void anErroredDecisionFailsTheContentEvaluators() {
        String feature = unique("errors");
        configure(feature, """
                {"samplingRate": 0.0, "evaluators": [{"name": "length_between", "config": {"min": 1}}]}""");
        DecisionRecord failed = decision(project(), feature, unique("d-err"), null, Outcome.ERROR, Instant.now());
        send(List.of(failed));
        EvalResult result = published(failed.decisionId(), 1, r -> true).get(0);
        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).contains("no output").contains("ERROR");
    }

    @Test
    void theJudgeNeverHoldsUpTheDeterministicEvaluators() {
        FakeJudgeResource.server().reset();
        FakeJudgeResource.server().always(FakeChatCompletions.unavailable());
        String feature = unique("mixed");
        configure(feature, """
                {"samplingRate": 1.0, "evaluators": [{"name": "llm_judge", "config": {"rubric": "helpful"}},
                                                     {"name": "refusal"}]}""");
        DecisionRecord d = decision(feature, unique("d-mixed"), "Refunds are accepted within 30 days.");
        send(List.of(d));
        assertThat(published(d.decisionId(), 1, r -> true))
                .extracting(EvalResult::evaluator)
                .containsExactly("refusal");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count(
                                pool,
                                "select count(*) from evals.judge_jobs where project_id = $1 and decision_id = $2 and state = 'queued'",
                                project(),
                                d.decisionId())
                        == 1);
        // the judge is asked from its own queue, fails, and the evaluation waits for it
        query(
                pool,
                "update evals.judge_jobs set state = 'done' where state = 'queued' and decision_id <> $1",
                d.decisionId());
        assertThat(worker.drain(Instant.now()).await().atMost(Duration.ofSeconds(20)))
                .isZero();
        assertThat(FakeJudgeResource.server().received()).isNotEmpty();
        assertThat(query(
                                pool,
                                "select state, last_error from evals.judge_jobs where project_id = $1 and decision_id = $2",
                                project(),
                                d.decisionId())
                        .iterator()
                        .next()
                        .getString("last_error"))
                .contains("503");
        FakeJudgeResource.server().reset();
    }

    @Test
    void anUnreadableDecisionIsDeadLetteredAndItsNeighboursAreStillEvaluated() {
        String feature = unique("poison");
        configure(feature, "{\"samplingRate\": 1.0, \"evaluators\": [{\"name\": \"refusal\"}]}");
        DecisionRecord after = decision(feature, unique("d-after"), "Fine answer.");
        String poisonKey = unique("poison-key");
        try (var kafka = new io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion(
                dev.loupe.testing.SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(
                            new org.apache.kafka.clients.producer.ProducerRecord<>(
                                    Topics.DECISIONS, poisonKey, "{not json"),
                            new org.apache.kafka.clients.producer.ProducerRecord<>(
                                    Topics.DECISIONS,
                                    after.decisionId(),
                                    dev.loupe.contracts.json.EventJson.encode(after)))
                    .awaitCompletion();
        }
        assertThat(published(after.decisionId(), 1, r -> true)).hasSize(1);
        var dead = TopicReader.awaitKey(Topics.deadLetter(Topics.DECISIONS), poisonKey, Duration.ofSeconds(20));
        assertThat(dead.value()).isEqualTo("{not json");
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value()))
                .isNotBlank();
    }

    private static Map<String, EvalResult> byEvaluator(List<EvalResult> results) {
        return results.stream().collect(Collectors.toMap(EvalResult::evaluator, Function.identity(), (a, b) -> a));
    }
}
