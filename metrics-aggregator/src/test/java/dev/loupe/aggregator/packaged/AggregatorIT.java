package dev.loupe.aggregator.packaged;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import dev.loupe.aggregator.dashboard.FakeDownstream;
import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.AlertState;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.LaunchedArtifact;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged metrics-aggregator (fast-jar; native executable with {@code -Dnative}) as the other services, a
 * dashboard user and an operator meet it: records go in through Kafka, and come back through every family of its
 * HTTP API and as closed metric windows on {@code loupe.metric-windows.v1}. Only HTTP, Kafka and the test's own
 * fake alert-manager/eval-runner are used. One launch for the class.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeDownstream.class)
@WithTestResource(PackagedAggregatorSettings.class)
class AggregatorIT {
    static final Duration STORED = Duration.ofSeconds(30);
    /** Recent enough for every shipped retention, old enough for the window closer's lateness (1 minute). */
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));

    private TestProject a;
    private TestProject b;

    @BeforeEach
    void readTheSeededProjects() {
        a = LaunchedArtifact.project("project-a");
        b = LaunchedArtifact.project("project-b");
    }

    @Test
    void spansFromKafkaComeBackAsATraceAsMetricsAndAsAClosedWindow() {
        String traceId = TestSpans.randomHex(32);
        send(Topics.SPANS, traceId, EventJson.encode(span(a.id(), traceId, "root", T0, 400L)));
        send(Topics.SPANS, traceId, EventJson.encode(span(a.id(), traceId, "chat gpt-4o", T0.plusSeconds(1), 800L)));

        await().atMost(STORED)
                .untilAsserted(() -> given().auth()
                        .oauth2(a.secretKey())
                        .get("/v1/traces/" + traceId)
                        .then()
                        .statusCode(200)
                        .body("traceId", equalTo(traceId))
                        .body("spans.name", equalTo(List.of("root", "chat gpt-4o"))));

        Response count = given().auth()
                .oauth2(a.secretKey())
                .queryParam("from", T0.toString())
                .queryParam("to", T0.plus(Duration.ofHours(1)).toString())
                .queryParam("groupBy", "feature")
                .get("/v1/metrics/request_count");
        assertThat(count.statusCode()).isEqualTo(200);
        assertThat(count.jsonPath().getList("series")).hasSize(1);
        assertThat(count.jsonPath().getString("series[0].group.feature")).isEqualTo("support-rag");
        assertThat(count.jsonPath().getDouble("series[0].points[0].value")).isEqualTo(2.0);
        // latency sketches (HdrHistogram) merged in the artifact
        Response latency = given().auth()
                .oauth2(a.secretKey())
                .queryParam("from", T0.toString())
                .queryParam("to", T0.plus(Duration.ofHours(1)).toString())
                .get("/v1/metrics/latency_p95_ms");
        assertThat(latency.statusCode()).isEqualTo(200);
        assertThat(latency.jsonPath().getDouble("series[0].points[0].quantiles.p50"))
                .isBetween(400.0, 800.0);
        assertThat(latency.jsonPath().getLong("series[0].points[0].sampleSize")).isEqualTo(2L);

        // the shipped window closer (every 10 s, 1 minute lateness) publishes the minute the spans fell in; had it
        // run between the two spans, the next revision carries both, at most loupe.windows.revision-interval (1 minute)
        // after the first publication: hence up to 100 s
        MetricWindow published = TopicReader.await(
                        Topics.METRIC_WINDOWS,
                        r -> r.key().startsWith(a.id() + "|request_count|")
                                && EventJson.decode(r.value(), MetricWindow.class)
                                                .sampleSize()
                                        == 2,
                        1,
                        Duration.ofSeconds(100))
                .stream()
                .map(r -> EventJson.decode(r.value(), MetricWindow.class))
                .findFirst()
                .orElseThrow();
        assertThat(published.projectId()).isEqualTo(a.id());
        assertThat(published.windowStart()).isEqualTo(T0);
        assertThat(published.windowEnd()).isEqualTo(T0.plusSeconds(60));
        assertThat(published.value()).isEqualTo(2.0);

        // another project's trace looks exactly like a missing one
        given().auth()
                .oauth2(b.secretKey())
                .get("/v1/traces/" + traceId)
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void aDecisionComesBackWithItsEvaluationAndFeedbackAndIsFoundBySearch() {
        String decisionId = "d-" + TestSpans.randomHex(8);
        send(Topics.DECISIONS, decisionId, EventJson.encode(decision(a.id(), decisionId)));
        send(
                Topics.EVALS,
                decisionId,
                EventJson.encode(new EvalResult(
                        SchemaVersions.CURRENT,
                        a.id(),
                        "e-" + decisionId,
                        decisionId,
                        "support-rag",
                        "faithfulness",
                        "1",
                        0.9,
                        true,
                        "grounded",
                        EvalTrigger.SAMPLED,
                        Map.of(),
                        T0.plusSeconds(30))));
        send(
                Topics.FEEDBACK,
                decisionId,
                EventJson.encode(new FeedbackRecord(
                        SchemaVersions.CURRENT,
                        a.id(),
                        "f-" + decisionId,
                        decisionId,
                        FeedbackSignal.EDITED,
                        "Within 30 days of delivery",
                        null,
                        null,
                        T0.plusSeconds(60))));

        await().atMost(STORED)
                .untilAsserted(() -> given().auth()
                        .oauth2(a.secretKey())
                        .get("/v1/decisions/" + decisionId)
                        .then()
                        .statusCode(200)
                        .body("decision.decisionId", equalTo(decisionId))
                        .body("decision.retrievalResults[0].docId", equalTo("kb-12"))
                        .body("evals.evaluator", equalTo(List.of("faithfulness")))
                        .body("feedback.correction", equalTo(List.of("Within 30 days of delivery"))));

        given().auth()
                .oauth2(a.secretKey())
                .queryParam("feature", "support-rag")
                .queryParam("signal", "edited")
                .queryParam("docId", "kb-12")
                .queryParam("from", T0.minusSeconds(60).toString())
                .queryParam("to", T0.plusSeconds(3600).toString())
                .get("/v1/decisions")
                .then()
                .statusCode(200)
                .body("decisions.decision.decisionId", hasItems(decisionId))
                .body("decisions[0].signals", hasItems("EDITED"));
        given().auth()
                .oauth2(b.secretKey())
                .get("/v1/decisions/" + decisionId)
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void alertEventsBecomeAlertStateAndHistoryAndActionsAreForwarded() {
        String fingerprint = TestSpans.randomHex(16);
        send(Topics.ALERTS, fingerprint, EventJson.encode(alert(a.id(), fingerprint, AlertState.PENDING, T0)));
        send(
                Topics.ALERTS,
                fingerprint,
                EventJson.encode(alert(a.id(), fingerprint, AlertState.FIRING, T0.plusSeconds(120))));

        await().atMost(STORED)
                .untilAsserted(() -> given().auth()
                        .oauth2(a.secretKey())
                        .get("/v1/alerts/" + fingerprint + "/history")
                        .then()
                        .statusCode(200)
                        .body("events.state", equalTo(List.of("PENDING", "FIRING"))));
        given().auth()
                .oauth2(a.secretKey())
                .queryParam("state", "firing")
                .get("/v1/alerts")
                .then()
                .statusCode(200)
                .body("alerts.fingerprint", equalTo(List.of(fingerprint)))
                .body("alerts[0].owner", equalTo("team-ml-quality"));

        // acknowledge goes to alert-manager (here FakeDownstream, which echoes) with the caller's key and body
        given().auth()
                .oauth2(a.adminKey())
                .contentType(ContentType.JSON)
                .body("{\"by\": \"alice\"}")
                .post("/v1/alerts/" + fingerprint + "/ack")
                .then()
                .statusCode(201)
                .body("path", equalTo("/v1/alerts/" + fingerprint + "/ack"))
                .body("authorization", equalTo("Bearer " + a.adminKey()))
                .body("body", equalTo("{\"by\": \"alice\"}"));
        given().auth()
                .oauth2(a.adminKey())
                .contentType(ContentType.JSON)
                .body("{\"matchers\":[{\"name\":\"alertname\",\"value\":\"x\"}],\"endsAt\":\"2030-01-01T00:00:00Z\"}")
                .post("/v1/silences")
                .then()
                .statusCode(201)
                .body("path", equalTo("/v1/silences"));
        // rules and datasets: the other service's answer is relayed, status, type and attachment included
        given().auth()
                .oauth2(a.secretKey())
                .get("/v1/rules")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(a.secretKey())
                .get("/v1/datasets/support-rag/export")
                .then()
                .statusCode(200)
                .contentType("application/x-ndjson")
                .header("Content-Disposition", containsString("support-rag.jsonl"));
        // acknowledging needs the admin scope, checked here before anything is forwarded
        given().auth()
                .oauth2(a.secretKey())
                .contentType(ContentType.JSON)
                .body("{}")
                .post("/v1/alerts/" + fingerprint + "/ack")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void theBootstrapTokenCreatesAProjectWhoseKeysWork() {
        Response created = given().auth()
                .oauth2(PackagedAggregatorSettings.BOOTSTRAP_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "packaged-shop"))
                .post("/v1/projects");
        assertThat(created.statusCode()).isEqualTo(201);
        String projectId = created.jsonPath().getString("id");
        assertThat(created.jsonPath().getList("keys.name")).containsExactly("secret", "public", "admin");
        String adminKey = created.jsonPath().getString("keys[2].key");

        String ciKey = given().auth()
                .oauth2(adminKey)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "scopes", List.of("ingest")))
                .post("/v1/projects/" + projectId + "/keys")
                .then()
                .statusCode(201)
                .body("scopes", equalTo(List.of("ingest")))
                .extract()
                .path("key");
        given().auth()
                .oauth2(ciKey)
                .get("/v1/whoami")
                .then()
                .statusCode(200)
                .body("projectId", equalTo(projectId))
                .body("roles", equalTo(List.of("ingest")));
        // an admin key works on its own project only
        given().auth()
                .oauth2(adminKey)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "sneaky", "scopes", List.of("admin")))
                .post("/v1/projects/" + a.id() + "/keys")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void noKeyIsUnauthorizedAndAKeyWithoutTheScopeIsForbidden() {
        for (String path : List.of("/v1/metrics/request_count", "/v1/decisions", "/v1/alerts", "/v1/whoami")) {
            given().get(path)
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer")
                    .body("field", equalTo("Authorization"));
        }
        // the public key only gives feedback
        given().auth()
                .oauth2(a.publicKey())
                .get("/v1/metrics/request_count")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("field", equalTo("Authorization"));
        given().auth()
                .oauth2("not-the-token")
                .contentType(ContentType.JSON)
                .body(Map.of("name", "x"))
                .post("/v1/projects")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
    }

    /** The explorer's lists answer from the packaged artifact (records serialized as they are natively). */
    @Test
    void theExplorersListsAnswerFromTheArtifact() {
        for (String path : List.of(
                "/v1/traces?limit=5", "/v1/search?q=refund", "/v1/sessions", "/v1/users", "/v1/traces?q=refund")) {
            given().auth()
                    .oauth2(a.secretKey())
                    .get(path)
                    .then()
                    .statusCode(200)
                    .contentType(startsWith("application/json"));
        }
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        Map<String, String> cases = Map.of(
                "/v1/metrics/no_such_metric", "metric",
                "/v1/metrics/request_count?bucket=7m", "bucket",
                "/v1/traces/not-a-trace-id", "traceId",
                "/v1/decisions?signal=meh", "signal",
                "/v1/traces?status=broken", "status",
                "/v1/search", "q",
                "/v1/sessions?cursor=nope", "cursor",
                "/v1/users?limit=0", "limit");
        cases.forEach((path, field) -> given().auth()
                .oauth2(a.secretKey())
                .urlEncodingEnabled(false)
                .get(path)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("field", equalTo(field)));
        given().auth()
                .oauth2(PackagedAggregatorSettings.BOOTSTRAP_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of())
                .post("/v1/projects")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("name"));
        given().get("/runbooks/Not_A_Name")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("name"));
    }

    @Test
    void anAdminSetsAPriceTheProjectReadsItBackAndBadRatesAreNamed() {
        String model = "packaged-model-" + Long.toHexString(System.nanoTime());
        given().auth()
                .oauth2(a.adminKey())
                .contentType(ContentType.JSON)
                .body(Map.of("inputPerMillion", 1.25, "outputPerMillion", 5))
                .put("/v1/prices/openai/" + model)
                .then()
                .statusCode(201)
                .body("model", equalTo(model));
        Response prices = given().auth().oauth2(a.secretKey()).get("/v1/prices");
        assertThat(prices.statusCode()).isEqualTo(200);
        assertThat(prices.jsonPath().getList("overrides.model")).contains(model);
        // another project does not see it; a read key cannot set one; a rate PostgreSQL cannot store is named
        assertThat(given().auth()
                        .oauth2(b.secretKey())
                        .get("/v1/prices")
                        .jsonPath()
                        .getList("overrides.model"))
                .doesNotContain(model);
        given().auth()
                .oauth2(a.secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of("inputPerMillion", 1, "outputPerMillion", 2))
                .put("/v1/prices/openai/" + model)
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(a.adminKey())
                .contentType(ContentType.JSON)
                .body("{\"inputPerMillion\": 1e-999999, \"outputPerMillion\": 2}")
                .put("/v1/prices/openai/" + model)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("inputPerMillion"));
    }

    @Test
    void theDashboardItsChartsAndTheRunbooksAreServedFromTheArtifact() {
        for (String path : List.of("/", "/cost", "/decisions/d-1")) {
            given().get(path)
                    .then()
                    .statusCode(200)
                    .contentType(startsWith("text/html"))
                    .header("Content-Security-Policy", containsString("default-src 'none'"))
                    .body(containsString("app/main.js"));
        }
        given().get("/app/main.js").then().statusCode(200);
        given().get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").then().statusCode(200);
        given().get("/runbooks/").then().statusCode(200).contentType(startsWith("text/html"));
        given().get("/runbooks/daily-spend-high")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/html"))
                .body(containsString("daily"));
    }

    @Test
    void healthMetricsAndOpenApiAnswer() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("loupe_aggregator_spans_stored_total"));
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/v1/metrics/{metric}"));
    }

    private static void send(String topic, String key, String value) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(topic, key, value))
                    .awaitCompletion();
        }
    }

    private static SpanRecord span(String projectId, String traceId, String name, Instant start, long latencyMs) {
        return new SpanRecord(
                SchemaVersions.CURRENT,
                projectId,
                traceId,
                TestSpans.randomHex(16),
                null,
                SpanKind.LLM,
                name,
                "openai",
                "gpt-4o",
                null,
                start,
                start.plusMillis(latencyMs),
                latencyMs,
                null,
                10L,
                5L,
                null,
                null,
                null,
                new BigDecimal("0.001"),
                null,
                null,
                false,
                Map.of(),
                null,
                null,
                Outcome.SUCCESS,
                null,
                null,
                "support-rag",
                "s-1",
                null,
                null,
                null,
                null,
                null,
                Map.of(),
                Map.of(),
                start);
    }

    private static DecisionRecord decision(String projectId, String decisionId) {
        return new DecisionRecord(
                SchemaVersions.CURRENT,
                projectId,
                decisionId,
                TestSpans.randomHex(32),
                "support-rag",
                "refund?",
                "h-in",
                List.of(new RetrievalResult("kb-12", 0.82, "h-doc")),
                "support-answer",
                "v7",
                "gpt-4o",
                "Within 30 days",
                "h-out",
                null,
                null,
                Map.of(),
                Outcome.SUCCESS,
                null,
                new BigDecimal("0.0035"),
                1200L,
                T0,
                Map.of("tier", "pro"));
    }

    private static AlertEvent alert(String projectId, String fingerprint, AlertState state, Instant startsAt) {
        return new AlertEvent(
                SchemaVersions.CURRENT,
                projectId,
                fingerprint,
                "eval-pass-rate-drop",
                state,
                null,
                null,
                "critical",
                "team-ml-quality",
                "https://runbooks.example/eval-pass-rate-drop.md",
                "Eval pass rate for support-rag fell",
                Map.of("feature", "support-rag", "alertname", "eval-pass-rate-drop"),
                0.71,
                0.8,
                0.87,
                startsAt,
                null);
    }
}
