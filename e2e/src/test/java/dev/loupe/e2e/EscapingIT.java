package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile text (script and img tags, ANSI colour and OSC 8 hyperlink escapes, CR/LF followed by a forged log
 * line) stored through the APIs comes back byte for byte inside JSON with its own content type and
 * {@code nosniff}, with no raw control character in the answer; and where the services log it (a feature name,
 * an alert's labels, a dead letter) the log holds it escaped: no raw ESC, no forged line. (The dashboard's
 * rendering of stored markup as text is DashboardIT's.)
 */
@ExtendWith(LoupeStack.Extension.class)
class EscapingIT {
    private final LoupeStack stack;

    EscapingIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void hostileTextComesBackAsJsonTextAndNeverRawInALog() {
        String marker = "FORGED-" + TestSpans.randomHex(8);
        String forgedLine = "2026-01-01 00:00:00,000 ERROR [dev.loupe.forged] (main) " + marker;
        String terminal = "esc\u001b[31mred\u001b[0m\r\n" + forgedLine;
        String hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> \u001b]8;;https://evil.example\u0007"
                + "link\u001b]8;;\u0007 " + terminal;
        TestProject project = stack.newProject("escaping-" + TestSpans.randomHex(4));
        String decisionId = "d-esc-" + TestSpans.randomHex(8);
        String markup = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        // identifiers (a span's name) refuse control characters outright; markup they keep, as text
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(TestSpans.llm().with("name", terminal)))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(0))
                .body("rejected[0].field", equalTo("spans[0].name"));
        TestSpans span = TestSpans.llm()
                .with("name", markup)
                .with("decisionId", decisionId)
                .with("prompt", hostile)
                .with("completion", hostile)
                .with("metadata", Map.of("note", hostile));
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(span))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisions",
                        List.of(Map.of(
                                "decisionId",
                                decisionId,
                                "traceId",
                                span.traceId(),
                                "input",
                                hostile,
                                "output",
                                hostile))))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/decisions")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));

        Response decision = await("the hostile decision")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> given().auth()
                                .oauth2(project.secretKey())
                                .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/decisions/" + decisionId),
                        r -> r.statusCode() == 200
                                && r.jsonPath().getList("spans").size() == 1);
        Response trace = given().auth()
                .oauth2(project.secretKey())
                .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + span.traceId());
        for (Response answer : List.of(decision, trace)) {
            jsonOnly(answer);
        }
        assertThat(decision.jsonPath().getString("decision.output")).isEqualTo(hostile);
        assertThat(decision.jsonPath().getString("spans[0].name")).isEqualTo(markup);
        assertThat(trace.jsonPath().getString("spans[0].prompt")).isEqualTo(hostile);
        assertThat(trace.jsonPath().getString("spans[0].metadata.note")).isEqualTo(hostile);
        // answers of every service, success and problem alike, are never sniffed into HTML
        for (String service : List.of(
                LoupeStack.COLLECTOR,
                LoupeStack.AGGREGATOR,
                LoupeStack.EVALS,
                LoupeStack.FEEDBACK,
                LoupeStack.ALERTS)) {
            Response refused = given().contentType(ContentType.JSON).body("{}").post(stack.url(service) + "/v1/whoami");
            assertThat(refused.header("X-Content-Type-Options"))
                    .as(service + " " + refused.statusCode())
                    .isEqualTo("nosniff");
        }

        // provoke each service that logs user-supplied text: a feature name, alert labels, a dead letter
        String feature = URLEncoder.encode(terminal, StandardCharsets.UTF_8).replace("+", "%20");
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .urlEncodingEnabled(false)
                .body(Map.of("samplingRate", 0.5))
                .put(stack.url(LoupeStack.EVALS) + "/v1/features/" + feature + "/evaluation")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "metric",
                        "request_count",
                        "groupBy",
                        List.of("feature"),
                        "condition",
                        Map.of("type", "static", "direction", "above", "value", 0),
                        "for",
                        "PT0S",
                        "severity",
                        "info",
                        "owner",
                        "team-x",
                        "runbookUrl",
                        "https://example.com/rb"))
                .put(stack.url(LoupeStack.ALERTS) + "/v1/rules/escaping")
                .then()
                .statusCode(201);
        Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(
                    Topics.METRIC_WINDOWS,
                    "request_count",
                    EventJson.encode(new MetricWindow(
                            SchemaVersions.CURRENT,
                            project.id(),
                            "request_count",
                            Map.of("feature", terminal),
                            end.minus(1, ChronoUnit.MINUTES),
                            end,
                            2,
                            2,
                            null,
                            0))));
            producer.send(new ProducerRecord<>(Topics.DECISIONS, "poison", terminal));
        }
        JsonNode alert = await("the alert labelled with the hostile feature")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> {
                            JsonNode alerts = given().auth()
                                    .oauth2(project.secretKey())
                                    .get(stack.url(LoupeStack.ALERTS) + "/v1/alerts")
                                    .as(JsonNode.class);
                            for (JsonNode a : alerts.path("alerts")) {
                                // the project's real span (feature support-chat) may close its own window and
                                // fire the same rule first: wait for the alert of the hostile window
                                if ("escaping".equals(a.path("ruleId").asText())
                                        && terminal.equals(
                                                a.path("labels").path("feature").asText())) {
                                    return a;
                                }
                            }
                            return null;
                        },
                        a -> a != null);
        assertThat(alert.path("labels").path("feature").asText()).isEqualTo(terminal);
        await("the poison record dead-lettered")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.deadLetter(Topics.DECISIONS))
                                .stream()
                                .anyMatch(r -> terminal.equals(r.value())));

        try (LeakSearch search = LeakSearch.of(stack)) {
            Pattern forged = Pattern.compile("(?m)^" + Pattern.quote(forgedLine));
            search.logs().forEach((file, text) -> {
                assertThat(text.indexOf('\u001b')).as("a raw ESC in " + file).isEqualTo(-1);
                assertThat(forged.matcher(text).find())
                        .as("a forged line in " + file)
                        .isFalse();
            });
            // the text was logged (escaped), so the checks above had something to find
            assertThat(search.logs().get("eval-runner.log")).contains("\\r\\n" + forgedLine);
            assertThat(search.logs().get("alert-manager.log")).contains("\\r\\n" + forgedLine);
            System.out.printf(
                    "escaping: %s logged escaped in %s%n",
                    marker,
                    search.logs().entrySet().stream()
                            .filter(e -> e.getValue().contains(marker))
                            .map(Map.Entry::getKey)
                            .toList());
        }
    }

    private static void jsonOnly(Response answer) {
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        String raw = answer.asString();
        assertThat(raw).doesNotContain("\u001b", "\r", "\n", "\u0007");
    }
}
