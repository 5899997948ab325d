package dev.loupe.aggregator.explore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/traces} (the traces list: sums, filters, keyset pages) and {@code GET /v1/search}, over spans and
 * decisions that went through the real consumers. Each test writes its own three traces into an hour of its own, in
 * project B: their children take the trace's session, which project A's tests of the V6 back-fill do not expect.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class TraceExplorerTest {
    @ConfigProperty(name = "loupe.test.project-b.id")
    String projectB;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String keyB;

    /** Another project's key. */
    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String keyA;

    private Instant t0;
    private String feature;
    /** Traces, oldest first: a refund conversation that failed in a tool, a cheap one, a costly slow one. */
    private String refund;

    private String cheap;
    private String costly;
    private String decisionId;

    @BeforeEach
    void threeTraces() {
        t0 = Instant.parse("2025-03-01T00:00:00Z")
                .plus(Duration.ofHours(ThreadLocalRandom.current().nextInt(24 * 300)));
        feature = "explore-" + TestSpans.randomHex(6);
        refund = TestSpans.randomHex(32);
        cheap = TestSpans.randomHex(32);
        costly = TestSpans.randomHex(32);
        decisionId = "d-" + TestSpans.randomHex(8);
        String root = TestSpans.randomHex(16);
        List<SpanRecord> spans = new ArrayList<>();
        // the refund trace: the root names no feature (a child does), its children come first, a tool fails
        spans.add(span(refund, TestSpans.randomHex(16), root, "LLM", t0.plusSeconds(1), 700)
                .with("feature", feature)
                .with("model", "gpt-4o-2024-08-06")
                .with("requestModel", "gpt-4o")
                .with("prompt", "Customer asks: can I get a refund for order 7? Mail me at [EMAIL].")
                .with("completion", "Yes, the bot promised a refund within 30 days.")
                .with("decisionId", decisionId)
                .with("costUsd", "0.0040")
                .record());
        spans.add(span(refund, TestSpans.randomHex(16), root, "TOOL", t0.plusSeconds(2), 100)
                .with("toolName", "lookup_order")
                .with("status", "ERROR")
                .with("errorType", "tool_failed")
                .record());
        spans.add(span(refund, root, null, "AGENT", t0, 3000)
                .with("name", "support agent")
                .with("userId", "u-refund")
                .with("sessionId", "s-refund")
                .record());
        // a cheap, quick trace of the same feature on another model
        spans.add(span(cheap, TestSpans.randomHex(16), null, "LLM", t0.plusSeconds(60), 200)
                .with("feature", feature)
                .with("model", "claude-3-5-haiku")
                .with("prompt", "Summarise the shipping policy.")
                .with("completion", "Orders ship in two days.")
                .with("costUsd", "0.0001")
                .with("userId", "u-other")
                .with("metadata", Map.of("promptVersion", "p-cheap-2"))
                .record());
        // a slow, costly trace
        spans.add(span(costly, TestSpans.randomHex(16), null, "LLM", t0.plusSeconds(120), 9000)
                .with("feature", feature)
                .with("model", "gpt-4o")
                .with("prompt", "Draft a long apology letter.")
                .with("completion", "Dear customer, we apologise.")
                .with("costUsd", "0.2500")
                .record());
        send(
                Topics.SPANS,
                spans.stream().map(s -> new Object[] {s.traceId(), s}).toList());
        send(Topics.DECISIONS, List.<Object[]>of(new Object[] {decisionId, decision()}));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> list(keyB, Map.of("feature", feature))
                                        .getList("traces")
                                        .size()
                                == 3
                        && list(keyB, Map.of("feature", feature)).getInt("traces[2].spans") == 3
                        && search(keyB, Map.of("q", "promised")).getList("hits").size() == 2);
    }

    @Test
    void tracesAreListedNewestFirstWithTheirSumsAndPagedByCursor() {
        JsonPath first = list(keyB, Map.of("feature", feature, "limit", "2"));
        assertThat(first.getList("traces.traceId")).containsExactly(costly, cheap);
        String cursor = first.getString("nextCursor");
        assertThat(cursor).isNotNull();
        JsonPath second = list(keyB, Map.of("feature", feature, "limit", "2", "cursor", cursor));
        assertThat(second.getList("traces.traceId")).containsExactly(refund);
        assertThat(second.getString("nextCursor")).as("the last page").isNull();

        Map<String, Object> trace = second.getMap("traces[0]");
        assertThat(trace)
                .containsEntry("rootName", "support agent")
                .containsEntry("feature", feature)
                .containsEntry("userId", "u-refund")
                .containsEntry("sessionId", "s-refund")
                .containsEntry("spans", 3)
                .containsEntry("durationMs", 3000)
                .containsEntry("status", "ERROR")
                .containsEntry("errorType", "tool_failed")
                .containsEntry("inputTokens", 100)
                .containsEntry("outputTokens", 20);
        assertThat(new BigDecimal(trace.get("costUsd").toString())).isEqualByComparingTo("0.0040");
        assertThat(second.getList("traces[0].decisionIds")).containsExactly(decisionId);

        assertThat(list(keyA, Map.of("feature", feature)).getList("traces"))
                .as("another project's key sees none")
                .isEmpty();
    }

    @Test
    void everyFilterNarrowsTheList() {
        assertThat(ids(Map.of("model", "gpt-4o")))
                .as("by model key, on any span")
                .containsExactly(costly, refund);
        assertThat(ids(Map.of("model", "claude-3-5-haiku"))).containsExactly(cheap);
        assertThat(ids(Map.of("status", "error"))).containsExactly(refund);
        assertThat(ids(Map.of("status", "OK"))).containsExactly(costly, cheap);
        assertThat(ids(Map.of("user", "u-refund"))).containsExactly(refund);
        assertThat(ids(Map.of("session", "s-refund"))).containsExactly(refund);
        assertThat(ids(Map.of("minLatencyMs", "2500"))).containsExactly(costly, refund);
        assertThat(ids(Map.of("minCostUsd", "0.004"))).containsExactly(costly, refund);
        assertThat(ids(Map.of("minCostUsd", "0.01"))).containsExactly(costly);
        assertThat(ids(Map.of("promptVersion", "v7"))).containsExactly(refund);
        assertThat(ids(Map.of("promptVersion", "v8"))).isEmpty();
        assertThat(ids(Map.of("promptVersion", "p-cheap-2")))
                .as("a span's promptVersion metadata")
                .containsExactly(cheap);
        assertThat(ids(Map.of("errorType", "tool_failed"))).containsExactly(refund);
        assertThat(ids(Map.of("errorType", "timeout"))).isEmpty();
        assertThat(ids(Map.of("q", "refund"))).as("a word of a child's prompt").containsExactly(refund);
        assertThat(ids(Map.of("q", "apologise"))).containsExactly(costly);
        assertThat(ids(Map.of("q", "escalated")))
                .as("a word of the decision's output")
                .containsExactly(refund);
        assertThat(ids(Map.of("q", "refund", "status", "ok"))).isEmpty();
    }

    @Test
    void searchFindsPromptsCompletionsAndDecisionOutputsWithMarkedSnippets() {
        JsonPath found = search(keyB, Map.of("q", "promised"));
        assertThat(found.getList("hits.type")).containsExactly("decision", "span");
        assertThat(found.getString("hits[1].field")).isEqualTo("completion");
        assertThat(found.getString("hits[1].traceId")).isEqualTo(refund);
        assertThat(found.getString("hits[1].feature")).isEqualTo(feature);
        String snippet = found.getString("hits[1].snippet.text");
        List<List<Integer>> marks = found.getList("hits[1].snippet.matches");
        assertThat(marks).hasSize(1);
        assertThat(snippet.substring(marks.get(0).get(0), marks.get(0).get(1))).isEqualTo("promised");
        assertThat(found.getString("hits[0].decisionId")).isEqualTo(decisionId);
        assertThat(found.getString("hits[0].field")).isEqualTo("output");

        // the prompt held an address the collector had replaced: the placeholder is what is stored
        assertThat(search(keyB, Map.of("q", "refund order")).getString("hits[0].snippet.text"))
                .contains("[EMAIL]");
        assertThat(search(keyB, Map.of("q", "REFUND [Email]")).getList("hits.traceId"))
                .as("upper case and punctuation in the query and the text")
                .containsExactly(refund);
        assertThat(search(keyB, Map.of("q", "\"promised a refund within\"")).getList("hits.type"))
                .as("a phrase")
                .containsExactly("span");
        assertThat(search(keyB, Map.of("q", "promised -yes")).getList("hits.type"))
                .as("a word left out")
                .containsExactly("decision");
        assertThat(search(keyB, Map.of("q", "promised", "feature", "another")).getList("hits"))
                .isEmpty();
        assertThat(search(keyA, Map.of("q", "promised")).getList("hits"))
                .as("another project")
                .isEmpty();
    }

    /**
     * A word older than the newest {@value TextSearch#PLAIN_WALK} spans with text is found through the index when the
     * query has a negation (a walk without the substring check), and within the longer walk when every word is
     * required; a word in every span fills its page from the newest ones.
     */
    @Test
    void aRareWordBeyondTheNewestSpansIsFoundThroughTheIndex() {
        Instant start = t0.plus(Duration.ofMinutes(10));
        String trace = TestSpans.randomHex(32);
        List<SpanRecord> spans = new ArrayList<>();
        spans.add(span(trace, TestSpans.randomHex(16), null, "LLM", start, 100)
                .with("prompt", "the quokka question")
                .with("completion", "filler answer")
                .record());
        // two older ones, a day and two days before: the index is asked day by day, newest first
        SpanRecord dayBefore = span(trace, TestSpans.randomHex(16), null, "LLM", start.minus(Duration.ofDays(1)), 100)
                .with("prompt", "a quokka, the day before")
                .record();
        SpanRecord twoDaysBefore = span(
                        trace, TestSpans.randomHex(16), null, "LLM", start.minus(Duration.ofDays(2)), 100)
                .with("completion", "quokka two days before")
                .record();
        for (int i = 0; i < TextSearch.PLAIN_WALK + 50; i++) {
            spans.add(span(trace, TestSpans.randomHex(16), null, "LLM", start.plusMillis(10 + i), 5)
                    .with("prompt", "filler question " + i)
                    .with("completion", "filler answer")
                    .record());
        }
        List<SpanRecord> all = new ArrayList<>(spans);
        all.add(dayBefore);
        all.add(twoDaysBefore);
        send(Topics.SPANS, all.stream().map(s -> new Object[] {s.traceId(), s}).toList());
        Map<String, String> range =
                Map.of("from", start.toString(), "to", start.plusSeconds(60).toString());
        Map<String, String> days = Map.of(
                "from",
                start.minus(Duration.ofDays(3)).toString(),
                "to",
                start.plusSeconds(60).toString());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> search(keyB, with(range, "q", "filler", "limit", "200"))
                                .getList("hits")
                                .size()
                        == 200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> given().auth()
                                .oauth2(keyB)
                                .get("/v1/traces/" + trace)
                                .then()
                                .extract()
                                .jsonPath()
                                .getList("spans")
                                .size()
                        == TextSearch.PLAIN_WALK + 53);
        assertThat(search(keyB, with(range, "q", "quokka -zebra")).getList("hits.spanId"))
                .as("beyond the plain walk: the index step")
                .containsExactly(spans.get(0).spanId());
        assertThat(search(keyB, with(range, "q", "Quokka")).getList("hits.spanId"))
                .as("within the substring-checked walk")
                .containsExactly(spans.get(0).spanId());
        assertThat(search(keyB, with(range, "q", "quokka or wombat")).getList("hits.spanId"))
                .containsExactly(spans.get(0).spanId());
        assertThat(search(keyB, with(days, "q", "quokka -zebra")).getList("hits.spanId"))
                .as("three days, newest first")
                .containsExactly(spans.get(0).spanId(), dayBefore.spanId(), twoDaysBefore.spanId());
        assertThat(search(keyB, with(days, "q", "quokka -zebra", "limit", "2")).getList("hits.spanId"))
                .containsExactly(spans.get(0).spanId(), dayBefore.spanId());
        assertThat(search(keyB, with(days, "q", "quokka")).getList("hits.spanId"))
                .as("within the walk")
                .containsExactly(spans.get(0).spanId(), dayBefore.spanId(), twoDaysBefore.spanId());
        JsonPath frequent = search(keyB, with(range, "q", "filler", "limit", "3"));
        assertThat(frequent.getList("hits.spanId"))
                .as("the newest three")
                .containsExactly(
                        spans.get(spans.size() - 1).spanId(),
                        spans.get(spans.size() - 2).spanId(),
                        spans.get(spans.size() - 3).spanId());
    }

    private static Map<String, String> with(Map<String, String> base, String... more) {
        Map<String, String> all = new HashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }

    @Test
    void badParametersAreRefusedNamingTheField() {
        problem("/v1/traces", Map.of("status", "broken"), "status");
        problem("/v1/traces", Map.of("minCostUsd", "lots"), "minCostUsd");
        problem("/v1/traces", Map.of("minLatencyMs", "-1"), "minLatencyMs");
        // values PostgreSQL cannot hold are refused here, not answered with a 500 from the database
        problem("/v1/traces", Map.of("minCostUsd", "1e999999"), "minCostUsd");
        problem("/v1/traces", Map.of("feature", "a\u0000b"), "feature");
        problem("/v1/search", Map.of("q", "refund", "feature", "a\u0000b"), "feature");
        problem(
                "/v1/traces",
                Map.of(
                        "cursor",
                        java.util.Base64.getUrlEncoder()
                                .encodeToString(
                                        "-9000000000000000000:x".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                "cursor");
        problem("/v1/traces", Map.of("cursor", "not-a-cursor"), "cursor");
        problem("/v1/traces", Map.of("q", "!!!"), "q");
        problem("/v1/traces", Map.of("limit", "0"), "limit");
        problem("/v1/search", Map.of(), "q");
        problem("/v1/search", Map.of("q", "x".repeat(201)), "q");
        problem(
                "/v1/search",
                Map.of("q", "refund", "from", "2025-01-01T00:00:00Z", "to", "2025-03-01T00:00:00Z"),
                "from");
    }

    private List<String> ids(Map<String, String> filters) {
        Map<String, String> all = new HashMap<>(filters);
        all.put("feature", feature);
        return list(keyB, all).getList("traces.traceId");
    }

    private JsonPath list(String key, Map<String, String> params) {
        return get(key, "/v1/traces", params);
    }

    private JsonPath search(String key, Map<String, String> params) {
        return get(key, "/v1/search", params);
    }

    private JsonPath get(String key, String path, Map<String, String> params) {
        Map<String, String> all = new HashMap<>(Map.of(
                "from",
                t0.minusSeconds(60).toString(),
                "to",
                t0.plusSeconds(3600).toString()));
        all.putAll(params);
        RequestSpecification request = given().auth().oauth2(key);
        all.forEach(request::queryParam);
        return request.get(path).then().statusCode(200).extract().jsonPath();
    }

    private void problem(String path, Map<String, String> params, String field) {
        RequestSpecification request = given().auth().oauth2(keyB);
        params.forEach(request::queryParam);
        request.get(path)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo(field));
    }

    private DecisionRecord decision() {
        return new DecisionRecord(
                SchemaVersions.CURRENT,
                projectB,
                decisionId,
                refund,
                feature,
                "can I get a refund?",
                "h-in",
                List.of(new RetrievalResult("policy-refunds", 0.9, "h-doc")),
                "support-answer",
                "v7",
                "gpt-4o",
                "The bot promised a refund; escalated to a human.",
                "h-out",
                null,
                null,
                Map.of(),
                Outcome.SUCCESS,
                null,
                new BigDecimal("0.0040"),
                700L,
                t0.plusSeconds(2),
                Map.of());
    }

    private Span span(String traceId, String spanId, String parent, String kind, Instant start, long millis) {
        return new Span(projectB)
                .with("traceId", traceId)
                .with("spanId", spanId)
                .with("parentSpanId", parent)
                .with("kind", kind)
                .with("name", kind.toLowerCase() + " step")
                .with("startTime", start.toString())
                .with("endTime", start.plusMillis(millis).toString())
                .with("latencyMs", millis)
                .with("inputTokens", "LLM".equals(kind) ? 100 : null)
                .with("outputTokens", "LLM".equals(kind) ? 20 : null)
                .with("status", "SUCCESS");
    }

    /** A span as the collector publishes it, built field by field. */
    static final class Span {
        private final Map<String, Object> fields = new HashMap<>();

        Span(String projectId) {
            fields.put("schemaVersion", SchemaVersions.CURRENT);
            fields.put("projectId", projectId);
            fields.put("truncated", false);
            fields.put("receivedAt", Instant.now().toString());
        }

        Span with(String field, Object value) {
            fields.put(field, value);
            return this;
        }

        SpanRecord record() {
            if ("LLM".equals(fields.get("kind")) && !fields.containsKey("model")) {
                fields.put("model", "gpt-4o");
            }
            return EventJson.mapper().convertValue(fields, SpanRecord.class);
        }
    }

    static void send(String topic, List<Object[]> records) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            List<ProducerRecord<String, String>> out = new ArrayList<>();
            for (Object[] r : records) {
                out.add(new ProducerRecord<>(topic, (String) r[0], EventJson.encode(r[1])));
            }
            kafka.produceStrings().fromRecords(out).awaitCompletion();
        }
    }
}
