package dev.loupe.collector.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DecisionAndRedactionTest {
    static final String CANARY = "CANARY-7f3a9c-DO-NOT-LEAK"; // %test.loupe.redaction.canary

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String secretKey;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Test
    void decisionIsPublishedWithHashedRetrievalTextAndRedactedInput() {
        String decisionId = "d-" + TestSpans.randomHex(8);
        Map<String, Object> decision = Map.ofEntries(
                Map.entry("decisionId", decisionId),
                Map.entry("feature", "support-rag"),
                Map.entry("input", "I am jane@example.com, refund order 17?"),
                Map.entry(
                        "retrievalResults",
                        List.of(Map.of("docId", "kb-12", "score", 0.82, "text", "Refunds within 30 days"))),
                Map.entry("promptTemplate", "support-answer"),
                Map.entry("promptVersion", "v3"),
                Map.entry("model", "gpt-4o"),
                Map.entry("output", "{\"answer\": \"30 days\"}"),
                Map.entry("parsedOutput", Map.of("answer", "30 days")),
                Map.entry("latencyMs", 950),
                Map.entry("occurredAt", "2026-11-27T10:00:00Z"));
        {
            given().auth()
                    .oauth2(secretKey)
                    .contentType(ContentType.JSON)
                    .body(Map.of("decisions", List.of(decision)))
                    .when()
                    .post("/v1/decisions")
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(1));
            ConsumerRecord<String, String> published =
                    TopicReader.awaitKey(Topics.DECISIONS, decisionId, Duration.ofSeconds(10));

            DecisionRecord record = EventJson.decode(published.value(), DecisionRecord.class);
            assertThat(record.projectId()).isEqualTo(projectId);
            assertThat(record.input()).isEqualTo("I am [EMAIL], refund order 17?");
            assertThat(record.redactions()).containsEntry("email", 1);
            assertThat(record.inputHash()).hasSize(64);
            assertThat(record.retrievalResults()).singleElement().satisfies(r -> {
                assertThat(r.docId()).isEqualTo("kb-12");
                assertThat(r.textHash()).hasSize(64);
            });
            assertThat(published.value())
                    .doesNotContain("Refunds within 30 days")
                    .doesNotContain("jane@example.com");
            assertThat(record.parsedOutput().get("answer").asText()).isEqualTo("30 days");
        }
    }

    @Test
    void decisionWithoutIdIsRejectedNamingTheField() {
        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisions",
                        List.of(
                                Map.of("feature", "x"),
                                Map.of("decisionId", "d-ok", "retrievalResults", List.of(Map.of("score", 1))))))
                .when()
                .post("/v1/decisions")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(0))
                .body(
                        "rejected.field",
                        equalTo(List.of("decisions[0].decisionId", "decisions[1].retrievalResults[0].docId")));
    }

    @Test
    void canaryNeverReachesKafkaWhereverItIsHidden() {
        TestSpans span = TestSpans.llm()
                .with("prompt", "secret " + CANARY)
                .with("completion", "echo " + CANARY)
                .with("errorMessage", CANARY)
                .with("metadata", Map.of("note", CANARY))
                .with("attributes", Map.of("gen_ai.input.messages", "[{\"content\": \"" + CANARY + "\"}]"))
                .with("parsedOutput", Map.of("nested", List.of(CANARY)));
        String decisionId = "d-canary-" + TestSpans.randomHex(6);
        {
            given().auth()
                    .oauth2(secretKey)
                    .contentType(ContentType.JSON)
                    .body(TestSpans.batch(span))
                    .post("/v1/spans")
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(1));
            given().auth()
                    .oauth2(secretKey)
                    .contentType(ContentType.JSON)
                    .body(Map.of(
                            "decisions",
                            List.of(Map.of(
                                    "decisionId",
                                    decisionId,
                                    "input",
                                    CANARY,
                                    "output",
                                    CANARY,
                                    "metadata",
                                    Map.of("k", CANARY)))))
                    .post("/v1/decisions")
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(1));

            var spanRecord = TopicReader.awaitKey(Topics.SPANS, span.traceId(), Duration.ofSeconds(10));
            TopicReader.awaitKey(Topics.DECISIONS, decisionId, Duration.ofSeconds(10));
            assertThat(EventJson.decode(spanRecord.value(), SpanRecord.class).redactions())
                    .containsEntry("canary", 6);

            List<String> everything = new java.util.ArrayList<>();
            TopicReader.readAll(Topics.SPANS).forEach(r -> everything.add(r.value()));
            TopicReader.readAll(Topics.DECISIONS).forEach(r -> everything.add(r.value()));
            assertThat(everything).hasSizeGreaterThanOrEqualTo(2).noneMatch(v -> v.contains(CANARY));
        }
    }

    @Test
    void costIsComputedFromThePriceTableAndUnknownModelsGetNone() {
        TestSpans known = TestSpans.llm()
                .with("model", "openai/gpt-4o-2024-08-06")
                .with("inputTokens", 1000)
                .with("outputTokens", 100)
                .with("startTime", "2026-11-27T10:00:00Z")
                .without("endTime");
        TestSpans unknown = TestSpans.llm().with("model", "my-private-finetune");
        {
            given().auth()
                    .oauth2(secretKey)
                    .contentType(ContentType.JSON)
                    .body(TestSpans.batch(known, unknown))
                    .post("/v1/spans")
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(2));
            var records = TopicReader.await(
                    Topics.SPANS,
                    r -> known.traceId().equals(r.key()) || unknown.traceId().equals(r.key()),
                    2,
                    Duration.ofSeconds(10));
            SpanRecord k = find(records, known.spanId());
            SpanRecord u = find(records, unknown.spanId());
            assertThat(k.costUsd()).isEqualByComparingTo("0.0035"); // 1000 * 2.5e-6 + 100 * 1e-5
            assertThat(u.costUsd()).isNull();
        }
    }

    private static SpanRecord find(List<ConsumerRecord<String, String>> records, String spanId) {
        return records.stream()
                .map(r -> EventJson.decode(r.value(), SpanRecord.class))
                .filter(s -> s.spanId().equals(spanId))
                .findFirst()
                .orElseThrow();
    }
}
