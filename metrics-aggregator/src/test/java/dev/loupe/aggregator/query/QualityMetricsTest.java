package dev.loupe.aggregator.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.aggregator.decisions.DecisionSearchResource;
import dev.loupe.aggregator.windows.WindowCloser;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.MetricCatalogue;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Evaluation, feedback and disagreement metrics, decision search and metric windows, against answers
 * computed here from the fixture. One feedback is sent before its decision.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class QualityMetricsTest {
    static final Instant Q0 = Instant.parse("2026-09-10T12:00:00Z");
    static final Instant RANGE_END = Q0.plus(Duration.ofMinutes(10));
    static List<DecisionRecord> decisions;
    static List<EvalResult> evals;
    static List<FeedbackRecord> feedback;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String keyA;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String keyB;

    @Inject
    WindowCloser closer;

    @Inject
    Pool pool;

    @BeforeEach
    void sendFixtureOnce() {
        if (decisions != null) {
            return;
        }
        Random random = new Random(11);
        decisions = new ArrayList<>();
        evals = new ArrayList<>();
        feedback = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String feature = i < 25 ? "support-rag" : "summarise";
            Instant at = Q0.plusSeconds(i * 3L);
            String id = "qd-" + i;
            decisions.add(new DecisionRecord(
                    SchemaVersions.CURRENT,
                    projectA,
                    id,
                    null,
                    feature,
                    null,
                    null,
                    List.of(),
                    "t",
                    "v1",
                    i % 2 == 0 ? "gpt-4o" : "gpt-4o-2024-08-06", // one model key
                    "answer " + i,
                    null,
                    null,
                    null,
                    Map.of(),
                    Outcome.SUCCESS,
                    null,
                    new BigDecimal("0.001"),
                    900L,
                    at,
                    Map.of()));
            evals.add(eval(
                    id,
                    feature,
                    "faithfulness",
                    random.nextDouble() < 0.7,
                    EvalTrigger.SAMPLED,
                    at.plusSeconds(10),
                    random.nextBoolean() ? "pro" : "free"));
            if (feature.equals("support-rag")) {
                evals.add(eval(
                        id,
                        feature,
                        "json_valid",
                        random.nextDouble() < 0.9,
                        EvalTrigger.SAMPLED,
                        at.plusSeconds(10),
                        "pro"));
            }
            FeedbackSignal signal = switch (i % 8) {
                case 0 -> FeedbackSignal.INCORRECT;
                case 3 -> FeedbackSignal.EDITED;
                case 5 -> FeedbackSignal.THUMBS_DOWN;
                case 6 -> FeedbackSignal.THUMBS_UP;
                default -> null;
            };
            if (signal != null) {
                feedback.add(new FeedbackRecord(
                        SchemaVersions.CURRENT,
                        projectA,
                        "qf-" + i,
                        id,
                        signal,
                        signal == FeedbackSignal.EDITED ? "better answer" : null,
                        null,
                        null,
                        at.plusSeconds(20)));
            }
        }
        // a re-evaluation triggered by feedback is not production quality: it must not move the sampled pass rate
        evals.add(eval("qd-0", "support-rag", "faithfulness", false, EvalTrigger.FEEDBACK, Q0.plusSeconds(30), "pro"));
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            // the first feedback arrives before its decision
            kafka.produceStrings()
                    .fromRecords(record(Topics.FEEDBACK, feedback.get(0).decisionId(), feedback.get(0)))
                    .awaitCompletion();
            kafka.produceStrings()
                    .fromRecords(decisions.stream()
                            .map(d -> record(Topics.DECISIONS, d.decisionId(), d))
                            .toList())
                    .awaitCompletion();
            kafka.produceStrings()
                    .fromRecords(evals.stream()
                            .map(e -> record(Topics.EVALS, e.decisionId(), e))
                            .toList())
                    .awaitCompletion();
            kafka.produceStrings()
                    .fromRecords(feedback.stream()
                            .skip(1)
                            .map(f -> record(Topics.FEEDBACK, f.decisionId(), f))
                            .toList())
                    .awaitCompletion();
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> sample("eval_pass_rate", "trigger=FEEDBACK") == 1
                        && sample("eval_pass_rate", null) == evals.size() - 1
                        && sample("decision_count", null) == decisions.size()
                        && search(keyA, "", null).decisions().stream()
                                        .mapToInt(f -> f.signals().size())
                                        .sum()
                                == feedback.size());
    }

    @Test
    void decisionsOfADatedAndAnUndatedModelNameCountUnderOneModelKey() {
        MetricSeries byModel = query(keyA, "decision_count", "model", null);
        assertThat(byModel.series()).hasSize(1);
        assertThat(byModel.series().get(0).group()).containsEntry("model", "gpt-4o");
        assertThat(byModel.series().get(0).points().get(0).value()).isEqualTo(decisions.size());
        MetricSeries dated = query(keyA, "decision_count", "model", "model=gpt-4o-2024-08-06");
        assertThat(dated.series().get(0).points().get(0).value()).isEqualTo(decisions.size());
    }

    @Test
    void evalPassRateAndMeanScorePerFeatureAndEvaluator() {
        Map<String, double[]> expected = new HashMap<>();
        for (EvalResult e : evals) {
            if (e.trigger() == EvalTrigger.SAMPLED) {
                double[] c = expected.computeIfAbsent(e.feature() + "/" + e.evaluator(), k -> new double[3]);
                c[0]++;
                c[1] += e.passed() ? 1 : 0;
                c[2] += e.score();
            }
        }
        var passRate = query(keyA, "eval_pass_rate", "feature,evaluator", null);
        var meanScore = query(keyA, "eval_score_mean", "feature,evaluator", null);
        assertThat(passRate.series()).hasSize(expected.size());
        for (MetricSeries.Series s : passRate.series()) {
            double[] c = expected.get(s.group().get("feature") + "/" + s.group().get("evaluator"));
            assertThat(s.points().get(0).value()).isCloseTo(c[1] / c[0], within(1e-12));
            assertThat(s.points().get(0).sampleSize()).isEqualTo((long) c[0]);
        }
        for (MetricSeries.Series s : meanScore.series()) {
            double[] c = expected.get(s.group().get("feature") + "/" + s.group().get("evaluator"));
            assertThat(s.points().get(0).value()).isCloseTo(c[2] / c[0], within(1e-9));
        }
    }

    @Test
    void evalPassRateBreaksDownByAnEvaluationDimension() {
        Map<String, double[]> expected = new HashMap<>();
        for (EvalResult e : evals) {
            if (e.trigger() == EvalTrigger.SAMPLED && e.evaluator().equals("faithfulness")) {
                double[] c = expected.computeIfAbsent(e.dimensions().get("tier"), k -> new double[2]);
                c[0]++;
                c[1] += e.passed() ? 1 : 0;
            }
        }
        var series = query(keyA, "eval_pass_rate", "dimension.tier", "evaluator=faithfulness");
        assertThat(series.series()).hasSize(2);
        for (MetricSeries.Series s : series.series()) {
            double[] c = expected.get(s.group().get("dimension.tier"));
            assertThat(s.points().get(0).value()).isCloseTo(c[1] / c[0], within(1e-12));
        }
    }

    @Test
    void correctionThumbsDownAndJudgeDisagreementRates() {
        Map<String, String> featureOf = new HashMap<>();
        Map<String, Integer> decisionsPerFeature = new HashMap<>();
        decisions.forEach(d -> {
            featureOf.put(d.decisionId(), d.feature());
            decisionsPerFeature.merge(d.feature(), 1, Integer::sum);
        });
        Map<String, Set<String>> corrected = new HashMap<>();
        Map<String, Set<String>> thumbsDown = new HashMap<>();
        for (FeedbackRecord f : feedback) {
            String feature = featureOf.get(f.decisionId());
            if (f.signal() == FeedbackSignal.INCORRECT || f.signal() == FeedbackSignal.EDITED) {
                corrected.computeIfAbsent(feature, k -> new HashSet<>()).add(f.decisionId());
            }
            if (f.signal() == FeedbackSignal.THUMBS_DOWN) {
                thumbsDown.computeIfAbsent(feature, k -> new HashSet<>()).add(f.decisionId());
            }
        }
        for (MetricSeries.Series s :
                query(keyA, "correction_rate", "feature", null).series()) {
            String feature = s.group().get("feature");
            assertThat(s.points().get(0).value())
                    .isCloseTo(
                            (double) corrected.getOrDefault(feature, Set.of()).size()
                                    / decisionsPerFeature.get(feature),
                            within(1e-12));
            assertThat(s.points().get(0).sampleSize())
                    .isEqualTo(decisionsPerFeature.get(feature).longValue());
        }
        for (MetricSeries.Series s :
                query(keyA, "thumbs_down_rate", "feature", null).series()) {
            String feature = s.group().get("feature");
            assertThat(s.points().get(0).value())
                    .isCloseTo(
                            (double) thumbsDown.getOrDefault(feature, Set.of()).size()
                                    / decisionsPerFeature.get(feature),
                            within(1e-12));
        }
        Map<String, double[]> disagreement = new HashMap<>();
        for (EvalResult e : evals) {
            if (e.trigger() == EvalTrigger.SAMPLED
                    && corrected.getOrDefault(e.feature(), Set.of()).contains(e.decisionId())) {
                double[] c = disagreement.computeIfAbsent(e.feature() + "/" + e.evaluator(), k -> new double[2]);
                c[0]++;
                c[1] += e.passed() ? 1 : 0;
            }
        }
        var judged = query(keyA, "judge_disagreement_rate", "feature,evaluator", null);
        assertThat(judged.series()).hasSize(disagreement.size());
        for (MetricSeries.Series s : judged.series()) {
            double[] c =
                    disagreement.get(s.group().get("feature") + "/" + s.group().get("evaluator"));
            assertThat(s.points().get(0).value()).isCloseTo(c[1] / c[0], within(1e-12));
            assertThat(s.points().get(0).sampleSize()).isEqualTo((long) c[0]);
        }
    }

    @Test
    void decisionSearchFiltersByFeatureAndSignal() {
        Set<String> expected = new HashSet<>();
        for (FeedbackRecord f : feedback) {
            if (f.signal() == FeedbackSignal.EDITED
                    && Integer.parseInt(f.decisionId().substring(3)) < 25) {
                expected.add(f.decisionId());
            }
        }
        var found = search(keyA, "&feature=support-rag", "edited");
        assertThat(found.decisions())
                .extracting(f -> f.decision().decisionId())
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(found.decisions()).allSatisfy(f -> assertThat(f.signals()).contains("EDITED"));
        assertThat(search(keyB, "", null).decisions()).isEmpty();
        given().auth()
                .oauth2(keyA)
                .queryParam("signal", "meh")
                .when()
                .get("/v1/decisions")
                .then()
                .statusCode(400)
                .body("field", equalTo("signal"));
        given().auth()
                .oauth2(keyA)
                .queryParam("limit", "abc")
                .when()
                .get("/v1/decisions")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("limit"));
        given().auth()
                .oauth2(keyA)
                .queryParam("from", "yesterday")
                .when()
                .get("/v1/decisions")
                .then()
                .statusCode(400)
                .body("field", equalTo("from"));
    }

    @Test
    void windowsCloseAfterTheLatenessAllowanceAndLateDataRepublishesThemWithTheNextRevision() {
        Instant window = Q0; // 12:00–12:01: decisions qd-0..qd-19, their evals at +10 s fall in it up to qd-16
        closer.closeDue(Q0.plusSeconds(90)).await().indefinitely();
        assertThat(windowsFor(window, "eval_pass_rate", Map.of("feature", "support-rag")))
                .isEmpty();

        closer.closeDue(Q0.plus(Duration.ofMinutes(5))).await().indefinitely();
        List<MetricWindow> first = await().atMost(Duration.ofSeconds(15))
                .until(() -> windowsFor(window, "eval_pass_rate", Map.of("feature", "support-rag")), w -> !w.isEmpty());
        double[] c = passCounts(window);
        assertThat(first).singleElement().satisfies(w -> {
            assertThat(w.revision()).isZero();
            assertThat(w.value()).isCloseTo(c[1] / c[0], within(1e-12));
            assertThat(w.sampleSize()).isEqualTo((long) c[0]);
        });
        assertThat(windowsFor(window, "request_count", Map.of())).isEmpty(); // no spans in this window
        assertThat(windowsFor(window, "correction_rate", Map.of("feature", "support-rag")))
                .hasSize(1);

        EvalResult late =
                eval("qd-1", "support-rag", "json_valid", false, EvalTrigger.SAMPLED, Q0.plusSeconds(45), "pro");
        evals.add(late);
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(record(Topics.EVALS, late.decisionId(), late))
                    .awaitCompletion();
        }
        // the late eval marks the window again; within loupe.windows.revision-interval (PT1M) of its first
        // publication (at Q0 + 5 min) the window waits, and the changes go out together once the interval is over
        await().atMost(Duration.ofSeconds(30))
                .until(() -> pool.preparedQuery(
                                        "select count(*) from telemetry.window_marks where project_id = $1 and window_start = $2"
                                                + " and changes > closed_changes")
                                .execute(Tuple.of(projectA, window.atOffset(ZoneOffset.UTC)))
                                .await()
                                .indefinitely()
                                .iterator()
                                .next()
                                .getLong(0)
                        > 0);
        closer.closeDue(Q0.plus(Duration.ofMinutes(5)).plusSeconds(50)).await().indefinitely();
        assertThat(windowsFor(window, "eval_pass_rate", Map.of("feature", "support-rag")))
                .hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            closer.closeDue(Q0.plus(Duration.ofMinutes(6))).await().indefinitely();
            return windowsFor(window, "eval_pass_rate", Map.of("feature", "support-rag"))
                            .size()
                    == 2;
        });
        double[] after = passCounts(window);
        MetricWindow second = windowsFor(window, "eval_pass_rate", Map.of("feature", "support-rag"))
                .get(1);
        assertThat(second.revision()).isEqualTo(1);
        assertThat(second.sampleSize()).isEqualTo((long) c[0] + 1);
        assertThat(second.value()).isCloseTo(after[1] / after[0], within(1e-12));
    }

    /**
     * The windows one close publishes are exactly {@link MetricCatalogue}'s (metric, dimension set) pairs, the
     * table alert-manager validates rules against: expected from the catalogue itself, so a set changed there
     * changes what is published. 12:01–12:02 holds decisions, evaluations and feedback of the fixture; spans of
     * every feature, model and tool (with sessions and parse failures) are added to it here.
     */
    @Test
    void aWindowIsPublishedForExactlyTheCatalogueSeries() {
        Instant window = Q0.plus(Duration.ofMinutes(1));
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(
                            MetricFixture.traces(projectA, window.plusSeconds(5), Duration.ofSeconds(40), 120, 19)
                                    .stream()
                                    .flatMap(t -> t.spans().stream())
                                    .map(span ->
                                            new ProducerRecord<>(Topics.SPANS, span.traceId(), EventJson.encode(span)))
                                    .toList())
                    .awaitCompletion();
        }
        Set<MetricCatalogue.Series> expected = new HashSet<>(MetricCatalogue.series());
        assertThat(expected).isNotEmpty();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<MetricWindow> windows =
                    closer.windows(projectA, window, 0).await().indefinitely();
            Set<MetricCatalogue.Series> published = new HashSet<>();
            for (MetricWindow w : windows) {
                published.add(
                        new MetricCatalogue.Series(w.metric(), w.dimensions().keySet()));
            }
            assertThat(published).containsExactlyInAnyOrderElementsOf(expected);
        });
    }

    private double[] passCounts(Instant window) {
        double[] c = new double[2];
        for (EvalResult e : evals) {
            if (e.trigger() == EvalTrigger.SAMPLED
                    && e.feature().equals("support-rag")
                    && !e.evaluatedAt().isBefore(window)
                    && e.evaluatedAt().isBefore(window.plusSeconds(60))) {
                c[0]++;
                c[1] += e.passed() ? 1 : 0;
            }
        }
        return c;
    }

    private List<MetricWindow> windowsFor(Instant start, String metric, Map<String, String> dimensions) {
        List<MetricWindow> found = new ArrayList<>();
        for (ConsumerRecord<String, String> r : TopicReader.readAll(Topics.METRIC_WINDOWS)) {
            MetricWindow w = EventJson.decode(r.value(), MetricWindow.class);
            if (w.projectId().equals(projectA)
                    && w.windowStart().equals(start)
                    && w.metric().equals(metric)
                    && w.dimensions().equals(dimensions)) {
                found.add(w);
            }
        }
        return found;
    }

    private static EvalResult eval(
            String decisionId,
            String feature,
            String evaluator,
            boolean passed,
            EvalTrigger trigger,
            Instant at,
            String tier) {
        return new EvalResult(
                SchemaVersions.CURRENT,
                null,
                "qe-" + evaluator + "-" + decisionId + "-" + trigger + at.getEpochSecond(),
                decisionId,
                feature,
                evaluator,
                "1",
                passed ? 0.8 + (at.getEpochSecond() % 5) / 25.0 : 0.2,
                passed,
                passed ? "ok" : "failed",
                trigger,
                Map.of("tier", tier),
                at);
    }

    private ProducerRecord<String, String> record(String topic, String key, Object event) {
        String json = EventJson.encode(event);
        if (event instanceof EvalResult) {
            json = json.replace("\"projectId\":null", "\"projectId\":\"" + projectA + "\"");
        }
        return new ProducerRecord<>(topic, key, json);
    }

    private MetricSeries query(String key, String metric, String groupBy, String filter) {
        var request =
                given().auth().oauth2(key).queryParam("from", Q0.toString()).queryParam("to", RANGE_END.toString());
        if (groupBy != null) {
            request.queryParam("groupBy", groupBy);
        }
        if (filter != null) {
            request.queryParam(filter.substring(0, filter.indexOf('=')), filter.substring(filter.indexOf('=') + 1));
        }
        return request.when()
                .get("/v1/metrics/" + metric)
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class);
    }

    private long sample(String metric, String filter) {
        var series = query(keyA, metric, null, filter).series();
        return series.isEmpty() ? 0 : series.get(0).points().get(0).sampleSize();
    }

    private static DecisionSearchResource.Results search(String key, String extra, String signal) {
        var request = given().auth()
                .oauth2(key)
                .queryParam("from", Q0.toString())
                .queryParam("to", RANGE_END.toString())
                .queryParam("limit", 500);
        if (extra.startsWith("&feature=")) {
            request.queryParam("feature", extra.substring("&feature=".length()));
        }
        if (signal != null) {
            request.queryParam("signal", signal);
        }
        return request.when()
                .get("/v1/decisions")
                .then()
                .statusCode(200)
                .extract()
                .as(DecisionSearchResource.Results.class);
    }
}
