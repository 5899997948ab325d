package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Two projects of their own for the security suite: the owner, holding one of every resource the APIs
 * address by id (a trace, a decision, feedback, a regression dataset with a case and a run, a rule, a firing
 * alert, a receiver, a silence, a feature's evaluation settings), each carrying {@link #ownerContent}; and the
 * other project, whose keys must never reach any of it. Keys of a single scope each, for the matrix. Built
 * once per stack.
 */
final class SecurityFixtures {
    private static final Map<LoupeStack, SecurityFixtures> BUILT = new ConcurrentHashMap<>();

    final TestProject owner;
    final TestProject other;
    /** A string only the owner's resources contain: an answer to another project's key must not hold it. */
    final String ownerContent = "owner-only-" + TestSpans.randomHex(12);

    final String feature = "sec-feature-" + TestSpans.randomHex(6);
    /** The owner's span's session: its own, as another project may use TestSpans' default one too. */
    final String session = "sec-session-" + TestSpans.randomHex(6);

    final String traceId;
    final String decisionId = "d-sec-" + TestSpans.randomHex(8);
    final String ruleId = "sec-rule-" + TestSpans.randomHex(6);
    final String receiver = "sec-receiver";
    final String dataset;
    final String caseId;
    final String runId;
    final String silenceId;
    final String fingerprint;
    /** Keys of the owner's project with exactly one scope each, by scope name. */
    final Map<String, String> scopedKeys;

    private final LoupeStack stack;

    static SecurityFixtures of(LoupeStack stack) {
        return BUILT.computeIfAbsent(stack, SecurityFixtures::new);
    }

    private SecurityFixtures(LoupeStack stack) {
        this.stack = stack;
        owner = stack.newProject("sec-owner-" + TestSpans.randomHex(4));
        other = stack.newProject("sec-other-" + TestSpans.randomHex(4));
        scopedKeys = Map.of(
                "ingest", key("ingest"), "feedback", key("feedback"), "read", key("read"), "admin", key("admin"));

        TestSpans span = TestSpans.llm()
                .with("feature", feature)
                .with("decisionId", decisionId)
                .with("sessionId", session)
                .with("completion", ownerContent);
        traceId = span.traceId();
        call(owner.secretKey())
                .body(TestSpans.batch(span))
                .post(url(LoupeStack.COLLECTOR, "/v1/spans"))
                .then()
                .statusCode(200);
        call(owner.adminKey())
                .body(Map.of("samplingRate", 1.0, "evaluators", List.of(Map.of("name", "json_valid"))))
                .put(url(LoupeStack.EVALS, "/v1/features/" + feature + "/evaluation"))
                .then()
                .statusCode(200);
        call(owner.secretKey())
                .body(Map.of(
                        "decisions",
                        List.of(Map.of(
                                "decisionId",
                                decisionId,
                                "traceId",
                                traceId,
                                "feature",
                                feature,
                                "input",
                                "question " + ownerContent,
                                "output",
                                "answer " + ownerContent))))
                .post(url(LoupeStack.COLLECTOR, "/v1/decisions"))
                .then()
                .statusCode(200);
        call(owner.publicKey())
                .body(Map.of("decisionId", decisionId, "signal", "edited", "correction", "better " + ownerContent))
                .post(url(LoupeStack.FEEDBACK, "/v1/feedback"))
                .then()
                .statusCode(202);
        call(owner.adminKey())
                .body(rule(ownerContent))
                .put(url(LoupeStack.ALERTS, "/v1/rules/" + ruleId))
                .then()
                .statusCode(201);
        call(owner.adminKey())
                .body(Map.of("type", "webhook", "url", "http://127.0.0.1:9/" + ownerContent))
                .put(url(LoupeStack.ALERTS, "/v1/receivers/" + receiver))
                .then()
                .statusCode(200);
        silenceId = call(owner.adminKey())
                .body(silence(ownerContent))
                .post(url(LoupeStack.ALERTS, "/v1/silences"))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        publishBreachingWindow();

        await("the owner's decision view with its feedback")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    Response r = call(owner.secretKey()).get(url(LoupeStack.AGGREGATOR, "/v1/decisions/" + decisionId));
                    return r.statusCode() == 200
                            && r.jsonPath().getList("spans").size() == 1
                            && r.jsonPath().getList("feedback").size() == 1;
                });
        dataset = feature;
        caseId = await("the correction's regression case")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> {
                            Response r = call(owner.secretKey())
                                    .get(url(LoupeStack.EVALS, "/v1/datasets/" + dataset + "/cases"));
                            return r.statusCode() == 200
                                            && !r.jsonPath().getList("cases").isEmpty()
                                    ? r.jsonPath().getString("cases[0].caseId")
                                    : null;
                        },
                        id -> id != null);
        runId = call(owner.secretKey())
                .body(Map.of(
                        "label",
                        "sec",
                        "outputs",
                        List.of(Map.of("caseId", caseId, "output", "better " + ownerContent))))
                .post(url(LoupeStack.EVALS, "/v1/datasets/" + dataset + "/runs"))
                .then()
                .statusCode(201)
                .extract()
                .path("runId");
        fingerprint = await("the owner's rule firing")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> {
                            JsonNode alerts = call(owner.secretKey())
                                    .get(url(LoupeStack.ALERTS, "/v1/alerts"))
                                    .then()
                                    .statusCode(200)
                                    .extract()
                                    .as(JsonNode.class);
                            for (JsonNode alert : alerts.path("alerts")) {
                                if (ruleId.equals(alert.path("ruleId").asText())) {
                                    return alert.path("fingerprint").asText();
                                }
                            }
                            return null;
                        },
                        fp -> fp != null);
        await("the aggregator's copy of the owner's alert")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> call(owner.secretKey())
                                .get(url(LoupeStack.AGGREGATOR, "/v1/alerts/" + fingerprint + "/history"))
                                .statusCode()
                        == 200);
    }

    /** A valid rule that fires on the first window with any request (static, above 0, no pending time). */
    static Map<String, Object> rule(String summary) {
        return Map.of(
                "metric",
                "request_count",
                "groupBy",
                List.of(),
                "condition",
                Map.of("type", "static", "direction", "above", "value", 0),
                "for",
                "PT0S",
                "severity",
                "info",
                "owner",
                "team-security-tests",
                "runbookUrl",
                "https://example.com/runbook",
                "summary",
                summary);
    }

    static Map<String, Object> silence(String comment) {
        return Map.of(
                "matchers",
                List.of(Map.of(
                        "name",
                        "alertname",
                        "value",
                        "nothing-" + TestSpans.randomHex(4),
                        "isRegex",
                        false,
                        "isEqual",
                        true)),
                "endsAt",
                Instant.now().plus(1, ChronoUnit.HOURS).toString(),
                "createdBy",
                "security-suite",
                "comment",
                comment);
    }

    /** The user id of the owner's span as stored (the collector keeps an HMAC of it), read back once. */
    String storedUserId() {
        return await().atMost(java.time.Duration.ofSeconds(30))
                .until(
                        () -> {
                            var trace =
                                    call(owner.secretKey()).get(url(LoupeStack.AGGREGATOR, "/v1/traces/" + traceId));
                            return trace.statusCode() == 200 ? trace.jsonPath().getString("spans[0].userId") : null;
                        },
                        java.util.Objects::nonNull);
    }

    /** The day of the owner's span (TestSpans' fixed start), as the from/to of a ranged read. */
    static final String SPAN_DAY = "from=2026-11-27T00:00:00Z&to=2026-11-28T00:00:00Z";

    io.restassured.specification.RequestSpecification call(String key) {
        return given().auth().oauth2(key).contentType(ContentType.JSON);
    }

    String url(String service, String path) {
        return stack.url(service) + path;
    }

    private String key(String scope) {
        return call(stack.bootstrapToken())
                .body(Map.of("name", "only-" + scope, "scopes", List.of(scope)))
                .post(url(LoupeStack.AGGREGATOR, "/v1/projects/" + owner.id() + "/keys"))
                .then()
                .statusCode(201)
                .extract()
                .path("key");
    }

    /** A closed request_count window for the owner, as the aggregator would publish it: the rule fires on it. */
    private void publishBreachingWindow() {
        Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        MetricWindow window = new MetricWindow(
                SchemaVersions.CURRENT,
                owner.id(),
                "request_count",
                Map.of(),
                end.minus(1, ChronoUnit.MINUTES),
                end,
                3,
                3,
                null,
                0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.METRIC_WINDOWS, "request_count", EventJson.encode(window)));
        }
    }
}
