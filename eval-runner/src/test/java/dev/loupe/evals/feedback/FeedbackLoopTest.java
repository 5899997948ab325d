package dev.loupe.evals.feedback;

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
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Feedback → re-evaluation (trigger FEEDBACK) and regression cases, with the decision before or after it. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class FeedbackLoopTest {
    /** Never sampled at this rate, so every result of these tests comes from feedback. */
    private static final String EVALUATORS = """
            {"samplingRate": 0, "includeErrors": false, "evaluators": [{"name": "refusal"}, {"name": "normalized_match"}]}""";

    @Inject
    Pool pool;

    @Inject
    ParkedFeedback parked;

    @Test
    void aCorrectionOnAKeptDecisionReEvaluatesItAgainstTheCorrectionAndBecomesARegressionCase() {
        String feature = unique("fb-edit");
        configure(feature, EVALUATORS);
        DecisionRecord d = decision(feature, unique("d"), "Refunds are possible within 60 days of purchase.");
        send(List.of(d));
        awaitKept(d);

        FeedbackRecord f =
                feedback(d, FeedbackSignal.EDITED, "Refunds are possible within 30 days of purchase.", Instant.now());
        sendFeedback(f);

        Map<String, EvalResult> results =
                published(d.decisionId(), 3, r -> r.trigger() == EvalTrigger.FEEDBACK).stream()
                        .collect(Collectors.toMap(EvalResult::evaluator, r -> r));
        assertThat(results).containsOnlyKeys("refusal", "normalized_match", "reference_match");
        assertThat(results.get("refusal").passed()).isTrue();
        assertThat(results.get("normalized_match").passed())
                .as("the output is not the correction")
                .isFalse();
        // 7 of 8 words shared on each side: F1 = 7/8
        assertThat(results.get("reference_match").score())
                .isCloseTo(7.0 / 8, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(results.get("reference_match").passed()).isTrue();
        assertThat(results.values()).allSatisfy(r -> assertThat(r.feature()).isEqualTo(feature));

        Row c = awaitCase(feature, d.inputHash());
        assertThat(c.getString("decision_id")).isEqualTo(d.decisionId());
        assertThat(c.getString("feedback_id")).isEqualTo(f.feedbackId());
        assertThat(c.getString("original_output")).isEqualTo(d.output());
        assertThat(c.getString("expected_output")).isEqualTo(f.correction());
        assertThat(c.getString("input")).isEqualTo(d.input());
        assertThat(c.getString("context")).contains("\"promptVersion\": \"v3\"").contains("doc-7");
        assertThat(actedAt(f)).isNotNull();
        assertThat(count(
                        pool,
                        "select count(*) from evals.results where project_id = $1 and decision_id = $2 and trigger = 'SAMPLED'",
                        project(),
                        d.decisionId()))
                .isZero();
    }

    @Test
    void feedbackBeforeItsDecisionIsParkedThenActedOnWhenTheDecisionArrives() {
        String feature = unique("fb-early");
        configure(feature, EVALUATORS);
        DecisionRecord d = decision(feature, unique("d"), "I cannot help with that.");
        FeedbackRecord f = feedback(d, FeedbackSignal.INCORRECT, "You can return it within 30 days.", Instant.now());
        sendFeedback(f);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> count(
                                pool,
                                "select count(*) from evals.feedback_received where project_id = $1 and feedback_id = $2",
                                project(),
                                f.feedbackId())
                        == 1);
        assertThat(actedAt(f)).as("parked: its decision is unknown").isNull();
        assertThat(count(
                        pool,
                        "select count(*) from evals.regression_cases where project_id = $1 and decision_id = $2",
                        project(),
                        d.decisionId()))
                .isZero();

        send(List.of(d));

        List<EvalResult> results = published(d.decisionId(), 3, r -> r.trigger() == EvalTrigger.FEEDBACK);
        assertThat(results)
                .extracting(EvalResult::evaluator)
                .containsExactlyInAnyOrder("refusal", "normalized_match", "reference_match");
        assertThat(results)
                .filteredOn(r -> r.evaluator().equals("refusal"))
                .singleElement()
                .satisfies(r ->
                        assertThat(r.passed()).as("the output is a refusal").isFalse());
        assertThat(awaitCase(feature, d.inputHash()).getString("expected_output"))
                .isEqualTo(f.correction());
        await().atMost(Duration.ofSeconds(10)).until(() -> actedAt(f) != null);
    }

    @Test
    void praiseAndDismissalsAreRecordedButReEvaluateNothing() {
        String feature = unique("fb-praise");
        configure(feature, EVALUATORS);
        DecisionRecord d = decision(feature, unique("d"), "Refunds within 30 days.");
        send(List.of(d));
        awaitKept(d);
        FeedbackRecord up = feedback(d, FeedbackSignal.THUMBS_UP, null, Instant.now());
        FeedbackRecord dismissed = feedback(d, FeedbackSignal.DISMISSED, null, Instant.now());
        FeedbackRecord down = feedback(d, FeedbackSignal.THUMBS_DOWN, null, Instant.now());
        sendFeedback(up);
        sendFeedback(dismissed);
        sendFeedback(down);

        // the thumbs-down, the last of the three on the partition, re-evaluates: once all three are acted on,
        // only its evaluators (no correction: no reference_match, normalized_match does not apply) ran
        published(d.decisionId(), 1, r -> r.trigger() == EvalTrigger.FEEDBACK);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> actedAt(up) != null && actedAt(dismissed) != null && actedAt(down) != null);
        assertThat(query(
                        pool,
                        "select evaluator from evals.results where project_id = $1 and decision_id = $2",
                        project(),
                        d.decisionId()))
                .extracting(r -> r.getString("evaluator"))
                .containsExactly("refusal");
        assertThat(count(
                        pool,
                        "select count(*) from evals.regression_cases where project_id = $1 and decision_id = $2",
                        project(),
                        d.decisionId()))
                .as("no correction, no case")
                .isZero();
    }

    @Test
    void aRedeliveredFeedbackStoresNothingTwiceAndRepublishesTheSameResults() {
        String feature = unique("fb-again");
        configure(feature, EVALUATORS);
        DecisionRecord d = decision(feature, unique("d"), "Refunds within 60 days.");
        send(List.of(d));
        awaitKept(d);
        FeedbackRecord f = feedback(d, FeedbackSignal.EDITED, "Refunds within 30 days.", Instant.now());
        sendFeedback(f);
        List<EvalResult> first = published(d.decisionId(), 3, r -> r.trigger() == EvalTrigger.FEEDBACK);

        sendFeedback(f);
        List<EvalResult> all = published(d.decisionId(), 6, r -> r.trigger() == EvalTrigger.FEEDBACK);

        assertThat(all.stream().map(EvalResult::evalId).distinct())
                .containsExactlyInAnyOrderElementsOf(
                        first.stream().map(EvalResult::evalId).toList());
        assertThat(all.stream().map(EvalResult::evaluatedAt).distinct()).hasSize(1);
        assertThat(count(
                        pool,
                        "select count(*) from evals.results where project_id = $1 and decision_id = $2",
                        project(),
                        d.decisionId()))
                .isEqualTo(3);
        assertThat(count(
                        pool,
                        "select count(*) from evals.regression_cases where project_id = $1 and dataset = $2",
                        project(),
                        feature))
                .isEqualTo(1);
    }

    @Test
    void correctionsOfTheSameInputMakeOneCaseWithTheLatestCorrection() {
        String feature = unique("fb-dedup");
        configure(feature, EVALUATORS);
        DecisionRecord first = decision(feature, unique("d"), "Sixty days.");
        DecisionRecord second = decision(feature, unique("d"), "Ninety days.");
        send(List.of(first, second));
        awaitKept(first);
        awaitKept(second);
        Instant t = Instant.now().minusSeconds(60);
        FeedbackRecord later = feedback(second, FeedbackSignal.EDITED, "Thirty days.", t.plusSeconds(30));
        FeedbackRecord earlier = feedback(first, FeedbackSignal.EDITED, "Thirty days, from delivery.", t);
        sendFeedback(later);
        awaitCase(feature, first.inputHash());
        sendFeedback(earlier); // arrives last, but was given first: it does not overwrite the later correction
        await().atMost(Duration.ofSeconds(15)).until(() -> actedAt(earlier) != null);

        List<Row> cases = List.copyOf(query(
                        pool,
                        "select expected_output, feedback_id from evals.regression_cases where project_id = $1 "
                                + "and dataset = $2",
                        project(),
                        feature)
                .stream()
                .toList());
        assertThat(cases).hasSize(1);
        assertThat(cases.get(0).getString("expected_output")).isEqualTo("Thirty days.");
        assertThat(cases.get(0).getString("feedback_id")).isEqualTo(later.feedbackId());
    }

    @Test
    void theSweeperActsOnFeedbackLeftParkedByARace() {
        String feature = unique("fb-race");
        configure(feature, EVALUATORS);
        DecisionRecord d = decision(feature, unique("d"), "Refunds within 60 days.");
        send(List.of(d));
        awaitKept(d);
        // as if the feedback's transaction had looked for the decision just before the decision's committed
        FeedbackRecord f = feedback(d, FeedbackSignal.EDITED, "Refunds within 30 days.", Instant.now());
        query(pool, """
                insert into evals.feedback_received (project_id, feedback_id, decision_id, signal, occurred_at, record)
                values ($1, $2, $3, $4, now(), $5::text::jsonb)""", project(), f.feedbackId(), d.decisionId(), f.signal().name(), EventJson.encode(f));

        assertThat(parked.sweep().await().atMost(Duration.ofSeconds(20))).isPositive();

        assertThat(actedAt(f)).isNotNull();
        assertThat(published(d.decisionId(), 3, r -> r.trigger() == EvalTrigger.FEEDBACK))
                .hasSize(3);
        assertThat(awaitCase(feature, d.inputHash()).getString("feedback_id")).isEqualTo(f.feedbackId());
    }

    static FeedbackRecord feedback(DecisionRecord d, FeedbackSignal signal, String correction, Instant at) {
        return new FeedbackRecord(
                SchemaVersions.CURRENT, d.projectId(), unique("f"), d.decisionId(), signal, correction, null, null, at);
    }

    static void sendFeedback(FeedbackRecord f) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(Topics.FEEDBACK, f.decisionId(), EventJson.encode(f)))
                    .awaitCompletion(Duration.ofSeconds(30));
        }
    }

    private void awaitKept(DecisionRecord d) {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> count(
                                pool,
                                "select count(*) from evals.decisions where project_id = $1 and decision_id = $2",
                                d.projectId(),
                                d.decisionId())
                        == 1);
    }

    private Row awaitCase(String dataset, String inputHash) {
        return await().atMost(Duration.ofSeconds(15))
                .until(
                        () -> {
                            var rows = query(
                                    pool,
                                    "select decision_id, feedback_id, input, original_output, expected_output, context::text as context "
                                            + "from evals.regression_cases "
                                            + "where project_id = $1 and dataset = $2 and input_hash = $3",
                                    project(),
                                    dataset,
                                    inputHash);
                            return rows.size() == 0 ? null : rows.iterator().next();
                        },
                        r -> r != null);
    }

    private Instant actedAt(FeedbackRecord f) {
        var rows = query(
                pool,
                "select acted_at from evals.feedback_received where project_id = $1 and feedback_id = $2",
                f.projectId(),
                f.feedbackId());
        if (rows.size() == 0) {
            return null;
        }
        var at = rows.iterator().next().getOffsetDateTime("acted_at");
        return at == null ? null : at.toInstant();
    }
}
