package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.ByteString;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Personal data planted in every input that takes free text (native spans and decisions, OTLP JSON and
 * protobuf, feedback single and batch, a dataset run, a rejected item and an unreadable body) is found nowhere
 * the stack keeps things: not in any table, on any topic (dead letters included) or in any log. A control value
 * put where no redaction applies (the project name, a span name, a logged receiver name) is found in each of
 * the three, so the search itself is proven.
 */
@ExtendWith(LoupeStack.Extension.class)
class CanaryIT {
    private final LoupeStack stack;

    CanaryIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void plantedPersonalDataReachesNoTableTopicOrLog() {
        String control = "control-" + TestSpans.randomHex(10);
        TestProject project = stack.newProject("canary-project-" + control);
        String email = "pii." + TestSpans.randomHex(8) + "@example.com";
        String phone = "+44 20 " + digits(4) + " " + digits(4);
        String card = luhnCard();
        Map<String, String> canaries = new LinkedHashMap<>(
                Map.of("email", email, "phone", phone, "card", card, "configured canary", stack.canary()));
        String text = "reach me at " + email + " or " + phone + ", card " + card + ", " + stack.canary();
        String feature = "canary-" + TestSpans.randomHex(4);
        String decisionId = "d-canary-" + TestSpans.randomHex(8);

        TestSpans span = TestSpans.llm()
                .with("name", "span " + control)
                .with("feature", feature)
                .with("decisionId", decisionId)
                .with("prompt", text)
                .with("completion", text)
                .with("status", "ERROR")
                .with("errorType", "Upstream")
                .with("errorMessage", text)
                .with("userId", email)
                .with("metadata", Map.of("note", text))
                .with("attributes", Map.of("user.note", text))
                .with("parsedOutput", Map.of("answer", text))
                .with("parseError", text);
        post(project.secretKey(), LoupeStack.COLLECTOR, "/v1/spans", TestSpans.batch(span))
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));
        post(
                        project.secretKey(),
                        LoupeStack.COLLECTOR,
                        "/v1/decisions",
                        Map.of(
                                "decisions",
                                List.of(Map.of(
                                        "decisionId",
                                        decisionId,
                                        "traceId",
                                        span.traceId(),
                                        "feature",
                                        feature,
                                        "input",
                                        text,
                                        "output",
                                        text,
                                        "parsedOutput",
                                        Map.of("answer", text),
                                        "metadata",
                                        Map.of("note", text),
                                        "retrievalResults",
                                        List.of(Map.of("docId", "doc-1", "score", 0.9, "text", text))))))
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));
        String otlpJsonTrace = TestSpans.randomHex(32);
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(otlpJson(otlpJsonTrace, text, email))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/traces")
                .then()
                .statusCode(200);
        String otlpProtoTrace = TestSpans.randomHex(32);
        given().auth()
                .oauth2(project.secretKey())
                .contentType("application/x-protobuf")
                .body(otlpProtobuf(otlpProtoTrace, text, email))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/traces")
                .then()
                .statusCode(200);
        post(
                        project.publicKey(),
                        LoupeStack.FEEDBACK,
                        "/v1/feedback",
                        Map.of(
                                "decisionId",
                                decisionId,
                                "signal",
                                "edited",
                                "correction",
                                text,
                                "feedbackText",
                                text,
                                "userId",
                                email))
                .then()
                .statusCode(202);
        post(
                        project.publicKey(),
                        LoupeStack.FEEDBACK,
                        "/v1/feedback/batch",
                        Map.of(
                                "feedback",
                                List.of(Map.of(
                                        "decisionId",
                                        decisionId,
                                        "signal",
                                        "thumbs_down",
                                        "feedbackText",
                                        text,
                                        "userId",
                                        email))))
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));
        // refusals must not carry the text into a log or a dead letter either
        post(
                        project.secretKey(),
                        LoupeStack.COLLECTOR,
                        "/v1/spans",
                        TestSpans.batch(
                                TestSpans.llm().with("traceId", "not-hex").with("prompt", text)))
                .then()
                .statusCode(200)
                .body("accepted", equalTo(0));
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body("{\"spans\": [" + text + "]}")
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(project.publicKey())
                .contentType(ContentType.JSON)
                .body("{\"decisionId\": " + text + "}")
                .post(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback")
                .then()
                .statusCode(400);
        // a receiver's name is logged on every delivery attempt: the log search's control
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body(Map.of("type", "webhook", "url", "http://127.0.0.1:9/hook"))
                .put(stack.url(LoupeStack.ALERTS) + "/v1/receivers/" + control)
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(project.adminKey())
                .post(stack.url(LoupeStack.ALERTS) + "/v1/receivers/" + control + "/test")
                .then()
                .statusCode(200);

        JsonPath view = awaitDecision(project, decisionId);
        assertThat(view.getString("decision.input")).contains("[EMAIL]", "[PHONE]", "[CARD]", "[CANARY]");
        assertThat(view.getMap("spans[0].redactions")).containsKeys("email", "phone", "card", "canary");
        assertThat(view.getString("feedback[0].correction")).contains("[EMAIL]");
        for (String trace : List.of(otlpJsonTrace, otlpProtoTrace)) {
            await("OTLP trace " + trace)
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> given().auth()
                                    .oauth2(project.secretKey())
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + trace)
                                    .statusCode()
                            == 200);
        }
        String caseId = await("the correction's regression case")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> given().auth()
                                .oauth2(project.secretKey())
                                .get(stack.url(LoupeStack.EVALS) + "/v1/datasets/" + feature + "/cases")
                                .jsonPath()
                                .getString("cases[0].caseId"),
                        id -> id != null);
        post(
                        project.secretKey(),
                        LoupeStack.EVALS,
                        "/v1/datasets/" + feature + "/runs",
                        Map.of("outputs", List.of(Map.of("caseId", caseId, "output", text))))
                .then()
                .statusCode(201);

        try (LeakSearch search = LeakSearch.of(stack)) {
            System.out.println("canary search over " + search.summary());
            assertThat(search.find(control))
                    .as("the control value, kept where no redaction applies")
                    .anyMatch(p -> p.startsWith("db:tenancy.projects"))
                    .anyMatch(p -> p.startsWith("kafka:loupe.spans.v1"))
                    .anyMatch(p -> p.startsWith("log:alert-manager"));
            canaries.forEach((kind, value) -> {
                List<String> places = search.find(value);
                System.out.printf(
                        "canary %-17s %-45s found in %s%n", kind, value, places.isEmpty() ? "nothing" : places);
                assertThat(places).as(kind + " " + value + " is kept in").isEmpty();
            });
        }
    }

    private Response post(String key, String service, String path, Object body) {
        return given().auth()
                .oauth2(key)
                .contentType(ContentType.JSON)
                .body(body)
                .post(stack.url(service) + path);
    }

    private JsonPath awaitDecision(TestProject project, String decisionId) {
        return await("the canary decision with its span and feedback")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> {
                            Response r = given().auth()
                                    .oauth2(project.secretKey())
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/decisions/" + decisionId);
                            return r.statusCode() == 200 ? r.jsonPath() : null;
                        },
                        v -> v != null
                                && v.getList("spans").size() >= 1
                                && v.getList("feedback").size() == 2);
    }

    private static Map<String, Object> otlpJson(String traceId, String text, String email) {
        long start = Instant.now().toEpochMilli() * 1_000_000L;
        List<Map<String, Object>> attributes = List.of(
                kv("gen_ai.prompt", text),
                kv("gen_ai.completion", text),
                kv("gen_ai.input.messages", "[{\"role\": \"user\", \"content\": \"" + text + "\"}]"),
                kv("gen_ai.request.model", "gpt-4o"),
                kv("user.id", email),
                kv("custom.note", text));
        Map<String, Object> span = Map.of(
                "traceId",
                traceId,
                "spanId",
                TestSpans.randomHex(16),
                "name",
                "chat",
                "startTimeUnixNano",
                Long.toString(start),
                "endTimeUnixNano",
                Long.toString(start + 1_000_000_000L),
                "attributes",
                attributes,
                "status",
                Map.of("code", 2, "message", text),
                "events",
                List.of(
                        Map.of(
                                "name",
                                "gen_ai.content.prompt",
                                "timeUnixNano",
                                Long.toString(start),
                                "attributes",
                                List.of(kv("gen_ai.prompt", text))),
                        Map.of(
                                "name",
                                "exception",
                                "timeUnixNano",
                                Long.toString(start),
                                "attributes",
                                List.of(kv("exception.message", text)))));
        return Map.of(
                "resourceSpans",
                List.of(Map.of(
                        "resource",
                        Map.of("attributes", List.of(kv("user.email", email))),
                        "scopeSpans",
                        List.of(Map.of("spans", List.of(span))))));
    }

    private static byte[] otlpProtobuf(String traceId, String text, String email) {
        long start = Instant.now().toEpochMilli() * 1_000_000L;
        Span span = Span.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceId)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(TestSpans.randomHex(16))))
                .setName("chat")
                .setStartTimeUnixNano(start)
                .setEndTimeUnixNano(start + 1_000_000_000L)
                .addAttributes(attr("gen_ai.request.model", "gpt-4o"))
                .addAttributes(attr("gen_ai.prompt", text))
                .addAttributes(attr("llm.output_messages.0.message.content", text))
                .addAttributes(attr("user.id", email))
                .addEvents(Span.Event.newBuilder()
                        .setName("gen_ai.content.completion")
                        .setTimeUnixNano(start)
                        .addAttributes(attr("gen_ai.completion", text)))
                .setStatus(Status.newBuilder()
                        .setCode(Status.StatusCode.STATUS_CODE_ERROR)
                        .setMessage(text))
                .build();
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(attr("user.email", email)))
                        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
                .build()
                .toByteArray();
    }

    private static Map<String, Object> kv(String key, String value) {
        return Map.of("key", key, "value", Map.of("stringValue", value));
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    private static String digits(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(ThreadLocalRandom.current().nextInt(10));
        }
        return s.toString();
    }

    /** A random 16-digit card number with a valid Luhn check digit (what the redactor accepts as a card). */
    static String luhnCard() {
        String body = "4" + digits(14);
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            int d = body.charAt(body.length() - 1 - i) - '0';
            if (i % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return body + (10 - sum % 10) % 10;
    }
}
