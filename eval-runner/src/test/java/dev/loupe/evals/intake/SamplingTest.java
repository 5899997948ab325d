package dev.loupe.evals.intake;

import static dev.loupe.evals.support.EvalTests.configure;
import static dev.loupe.evals.support.EvalTests.count;
import static dev.loupe.evals.support.EvalTests.decision;
import static dev.loupe.evals.support.EvalTests.project;
import static dev.loupe.evals.support.EvalTests.query;
import static dev.loupe.evals.support.EvalTests.send;
import static dev.loupe.evals.support.EvalTests.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.evals.features.EvaluationPlans;
import dev.loupe.evals.feedback.FeedbackLinks;
import dev.loupe.evals.feedback.FeedbackLoop;
import dev.loupe.evals.results.Evaluation;
import dev.loupe.evals.results.ResultStore;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class SamplingTest {
    private static final Instant T0 = Instant.parse("2026-11-20T09:00:00Z");

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @Inject
    DecisionPipeline pipeline;

    @Inject
    EvaluationPlans plans;

    @Inject
    Evaluation evaluation;

    @Inject
    ResultStore store;

    @Inject
    FeedbackLinks links;

    @Inject
    FeedbackLoop feedbackLoop;

    @Inject
    Clock clock;

    @Test
    void theRateChoosesItsShareAndAReplayChoosesTheSameDecisions() {
        String feature = unique("rated");
        configure(feature, "{\"samplingRate\": 0.3, \"maxPerMinute\": 100000, \"evaluators\": []}");
        List<DecisionRecord> decisions = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            decisions.add(decision(project(), feature, feature + "-" + i, "ok", Outcome.SUCCESS, T0.plusSeconds(i)));
        }
        send(decisions);
        Set<String> first = sampled(feature, decisions.size());
        assertThat(first.size() / 2_000.0).as("share sampled at rate 0.3").isBetween(0.265, 0.335);

        // a redelivery keeps each decision's first verdict
        double received = registry.counter("loupe.evals.decisions.received").count();
        send(decisions.subList(0, 500));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> registry.counter("loupe.evals.decisions.received").count() >= received + 500);
        assertThat(sampled(feature, decisions.size())).isEqualTo(first);

        // a replay into an empty store (the verdicts forgotten) chooses exactly the same decisions
        query(pool, "delete from evals.decisions where project_id = $1 and feature = $2", project(), feature);
        query(pool, "delete from evals.sample_minutes where project_id = $1 and feature = $2", project(), feature);
        send(decisions);
        assertThat(sampled(feature, decisions.size())).isEqualTo(first);
    }

    @Test
    void raisingTheRateKeepsEveryDecisionTheLowerRateChose() {
        String low = unique("low");
        String high = unique("high");
        configure(low, "{\"samplingRate\": 0.1, \"evaluators\": []}");
        configure(high, "{\"samplingRate\": 0.4, \"evaluators\": []}");
        List<DecisionRecord> decisions = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // the same ids under two features: only the rate differs
            decisions.add(decision(project(), low, "same-" + low + "-" + i, "ok", Outcome.SUCCESS, T0.plusSeconds(i)));
        }
        send(decisions);
        Set<String> atLow = sampled(low, 300);
        query(pool, "delete from evals.decisions where project_id = $1 and feature = $2", project(), low);
        send(decisions.stream()
                .map(d -> decision(project(), high, d.decisionId(), "ok", Outcome.SUCCESS, d.occurredAt()))
                .toList());
        Set<String> atHigh = sampled(high, 300);
        assertThat(atHigh).containsAll(atLow).hasSizeGreaterThan(atLow.size());
    }

    @Test
    void erroredAndTruncatedDecisionsAreAlwaysEvaluated() {
        String feature = unique("always");
        configure(feature, "{\"samplingRate\": 0.0, \"evaluators\": []}");
        send(List.of(
                decision(project(), feature, feature + "-ok", "fine", Outcome.SUCCESS, T0),
                decision(project(), feature, feature + "-err", null, Outcome.ERROR, T0),
                decision(project(), feature, feature + "-cut", "half an ans", Outcome.TRUNCATED, T0)));
        assertThat(verdicts(feature, 3))
                .containsEntry(feature + "-ok", "skipped")
                .containsEntry(feature + "-err", "error")
                .containsEntry(feature + "-cut", "truncated");

        String optedOut = unique("opted-out");
        configure(
                optedOut,
                "{\"samplingRate\": 0.0, \"includeErrors\": false, \"includeTruncated\": false, "
                        + "\"evaluators\": []}");
        send(List.of(
                decision(project(), optedOut, optedOut + "-err", null, Outcome.ERROR, T0),
                decision(project(), optedOut, optedOut + "-cut", "half", Outcome.TRUNCATED, T0)));
        assertThat(verdicts(optedOut, 2).values()).containsOnly("skipped");
    }

    @Test
    void theCapBoundsRateSampledDecisionsPerFeatureAndMinute() {
        String feature = unique("capped");
        configure(feature, "{\"samplingRate\": 1.0, \"maxPerMinute\": 5, \"evaluators\": []}");
        List<DecisionRecord> decisions = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            decisions.add(decision(project(), feature, feature + "-a" + i, "ok", Outcome.SUCCESS, T0.plusSeconds(i)));
        }
        for (int i = 0; i < 3; i++) {
            decisions.add(
                    decision(project(), feature, feature + "-b" + i, "ok", Outcome.SUCCESS, T0.plusSeconds(60 + i)));
        }
        decisions.add(decision(project(), feature, feature + "-err", null, Outcome.ERROR, T0.plusSeconds(30)));
        // two deliveries, as two polls would bring them: the cap holds across batches
        send(decisions.subList(0, 7));
        awaitProcessed(feature, 7);
        send(decisions.subList(7, decisions.size()));
        Map<String, String> verdicts = verdicts(feature, decisions.size());

        Map<String, Integer> minuteA = tally(verdicts, feature + "-a");
        assertThat(minuteA).containsEntry("rate", 5).containsEntry("capped", 7);
        assertThat(tally(verdicts, feature + "-b")).containsEntry("rate", 3).doesNotContainKey("capped");
        assertThat(verdicts).as("errors are not held back by the cap").containsEntry(feature + "-err", "error");
    }

    /**
     * Two replicas' pipelines take batches of one feature and minute at the same moment: the cap is a row in
     * PostgreSQL that both take slots from, so together they sample no more than the cap, as one replica would.
     */
    @Test
    void theCapHoldsAcrossReplicasProcessingAtOnce() {
        String feature = unique("capped-replicas");
        configure(feature, "{\"samplingRate\": 1.0, \"maxPerMinute\": 5, \"evaluators\": []}");
        List<DecisionRecord> first = new ArrayList<>();
        List<DecisionRecord> second = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            first.add(decision(project(), feature, feature + "-x" + i, "ok", Outcome.SUCCESS, T0.plusSeconds(i)));
            second.add(decision(project(), feature, feature + "-y" + i, "ok", Outcome.SUCCESS, T0.plusSeconds(i)));
        }
        DecisionPipeline other =
                new DecisionPipeline(pool, plans, evaluation, store, links, feedbackLoop, clock, registry);

        Uni.combine()
                .all()
                .unis(pipeline.process(first), other.process(second))
                .discardItems()
                .await()
                .atMost(Duration.ofSeconds(30));

        Map<String, Integer> tally = tally(verdicts(feature, 16), feature + "-");
        assertThat(tally).containsEntry("rate", 5).containsEntry("capped", 11);
    }

    private Set<String> sampled(String feature, int expected) {
        return new TreeSet<>(verdicts(feature, expected).entrySet().stream()
                .filter(e -> e.getValue().equals("rate"))
                .map(Map.Entry::getKey)
                .toList());
    }

    private Map<String, String> verdicts(String feature, int expected) {
        awaitProcessed(feature, expected);
        Map<String, String> verdicts = new HashMap<>();
        query(
                        pool,
                        "select decision_id, sampling from evals.decisions where project_id = $1 and feature = $2",
                        project(),
                        feature)
                .forEach(row -> verdicts.put(row.getString("decision_id"), row.getString("sampling")));
        return verdicts;
    }

    private void awaitProcessed(String feature, int expected) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count(
                                pool,
                                "select count(*) from evals.decisions where project_id = $1 and feature = $2 and sampling is not null",
                                project(),
                                feature)
                        >= expected);
    }

    private static Map<String, Integer> tally(Map<String, String> verdicts, String prefix) {
        Map<String, Integer> tally = new HashMap<>();
        verdicts.forEach((id, verdict) -> {
            if (id.startsWith(prefix)) {
                tally.merge(verdict, 1, Integer::sum);
            }
        });
        return tally;
    }
}
