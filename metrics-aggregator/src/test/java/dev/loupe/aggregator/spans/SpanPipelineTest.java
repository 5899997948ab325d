package dev.loupe.aggregator.spans;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
public class SpanPipelineTest {
    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String readKeyA;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String readKeyB;

    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String feedbackKeyA;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(SharedKafka.bootstrapServers());
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void everyFieldOfAConsumedSpanComesBackFromTheTraceApi() {
        SpanRecord span = fullSpan(projectA, TestSpans.randomHex(32));
        send(span.traceId(), EventJson.encode(span));

        SpanRecord stored = awaitTrace(readKeyA, span.traceId()).get(0);

        assertThat(stored)
                .usingRecursiveComparison()
                .withComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                .isEqualTo(span);
    }

    @Test
    void aSpanTimedToTheNanosecondIsStoredToTheMicrosecondAndThePartitionKeepsFlowing() {
        // OTLP and Instant.now() carry nanoseconds, PostgreSQL keeps microseconds
        SpanRecord fine =
                withStart(fullSpan(projectA, TestSpans.randomHex(32)), Instant.parse("2026-11-27T10:15:30.123456789Z"));
        SpanRecord next = fullSpan(projectA, fine.traceId());
        next = withSpanId(next, TestSpans.randomHex(16));
        send(fine.traceId(), EventJson.encode(fine));
        send(next.traceId(), EventJson.encode(next));

        List<SpanRecord> stored = await().atMost(Duration.ofSeconds(15))
                .until(() -> awaitTrace(readKeyA, fine.traceId()), spans -> spans.size() == 2);
        assertThat(stored).extracting(SpanRecord::startTime).contains(Instant.parse("2026-11-27T10:15:30.123456Z"));
    }

    @Test
    void redeliveredSpanIsStoredOnce() {
        SpanRecord span = fullSpan(projectA, TestSpans.randomHex(32));
        send(span.traceId(), EventJson.encode(span));
        send(span.traceId(), EventJson.encode(span));
        SpanRecord second = withSpanId(fullSpan(projectA, span.traceId()), TestSpans.randomHex(16));
        send(span.traceId(), EventJson.encode(second));

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(
                        () -> assertThat(awaitTrace(readKeyA, span.traceId())).hasSize(2));
    }

    @Test
    void poisonRecordGoesToTheDeadLetterTopicAndThePartitionKeepsFlowing() {
        String traceId = TestSpans.randomHex(32);
        send(traceId, "{this is not json");
        SpanRecord after = fullSpan(projectA, traceId);
        send(traceId, EventJson.encode(after));

        assertThat(awaitTrace(readKeyA, traceId)).hasSize(1);
        var dead = TopicReader.awaitKey(Topics.deadLetter(Topics.SPANS), traceId, Duration.ofSeconds(15));
        assertThat(dead.value()).isEqualTo("{this is not json");
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value()))
                .contains("SpanRecord");
    }

    @Test
    void recordTheDatabaseRefusesIsDeadLetteredInsteadOfRetriedForever() {
        String traceId = TestSpans.randomHex(32);
        SpanRecord refused = fullSpan(projectA, traceId);
        String payload = EventJson.encode(refused).replace("\"prompt [EMAIL]\"", "\"nul \\u0000 inside\"");
        assertThat(payload).contains("\\u0000");
        send(traceId, payload);
        SpanRecord next = fullSpan(projectA, traceId);
        send(traceId, EventJson.encode(next));

        assertThat(awaitTrace(readKeyA, traceId)).extracting(SpanRecord::spanId).containsExactly(next.spanId());
        var dead = TopicReader.awaitKey(Topics.deadLetter(Topics.SPANS), traceId, Duration.ofSeconds(15));
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value()))
                .contains("database refused");
    }

    @Test
    void anotherProjectsTraceIsNotFound() {
        SpanRecord span = fullSpan(projectA, TestSpans.randomHex(32));
        send(span.traceId(), EventJson.encode(span));
        awaitTrace(readKeyA, span.traceId());

        given().auth()
                .oauth2(readKeyB)
                .when()
                .get("/v1/traces/" + span.traceId())
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void malformedTraceIdIsAProblemNamingIt() {
        given().auth()
                .oauth2(readKeyA)
                .when()
                .get("/v1/traces/XYZ")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("traceId"));
    }

    @Test
    void feedbackKeyCannotReadTraces() {
        given().auth()
                .oauth2(feedbackKeyA)
                .when()
                .get("/v1/traces/" + TestSpans.randomHex(32))
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    private void send(String key, String value) {
        kafka.produceStrings()
                .fromRecords(new ProducerRecord<>(Topics.SPANS, key, value))
                .awaitCompletion();
    }

    private static List<SpanRecord> awaitTrace(String key, String traceId) {
        return await().atMost(Duration.ofSeconds(15))
                .until(
                        () -> {
                            var response = given().auth().oauth2(key).when().get("/v1/traces/" + traceId);
                            return response.statusCode() == 200
                                    ? response.as(TraceView.class).spans()
                                    : null;
                        },
                        spans -> spans != null);
    }

    public static SpanRecord fullSpan(String projectId, String traceId) {
        Instant start = Instant.parse("2026-11-27T10:00:00.123456Z");
        return new SpanRecord(
                SchemaVersions.CURRENT,
                projectId,
                traceId,
                TestSpans.randomHex(16),
                TestSpans.randomHex(16),
                SpanKind.LLM,
                "chat gpt-4o",
                "openai",
                "gpt-4o-2024-08-06",
                "gpt-4o",
                start,
                start.plusMillis(1250),
                1250L,
                180L,
                812L,
                143L,
                100L,
                50L,
                12L,
                new BigDecimal("0.0034600000"),
                "prompt [EMAIL]",
                "completion",
                true,
                Map.of("email", 1),
                JsonNodeFactory.instance.objectNode().put("answer", 42),
                "expected an array",
                Outcome.ERROR,
                "rate_limit",
                "429 from provider",
                "support-chat",
                "s-1",
                "a".repeat(64),
                "d-1",
                "search_docs",
                "{\"query\": \"refund <policy>\"}",
                "3 documents",
                Map.of("tier", "pro"),
                Map.of("http.status", 429),
                start.plusSeconds(2));
    }

    public static SpanRecord withStart(SpanRecord s, Instant start) {
        return new SpanRecord(
                s.schemaVersion(),
                s.projectId(),
                s.traceId(),
                s.spanId(),
                s.parentSpanId(),
                s.kind(),
                s.name(),
                s.provider(),
                s.model(),
                s.requestModel(),
                start,
                start.plusMillis(s.latencyMs()),
                s.latencyMs(),
                s.timeToFirstTokenMs(),
                s.inputTokens(),
                s.outputTokens(),
                s.cachedInputTokens(),
                s.cacheWriteInputTokens(),
                s.reasoningTokens(),
                s.costUsd(),
                s.prompt(),
                s.completion(),
                s.truncated(),
                s.redactions(),
                s.parsedOutput(),
                s.parseError(),
                s.status(),
                s.errorType(),
                s.errorMessage(),
                s.feature(),
                s.sessionId(),
                s.userId(),
                s.decisionId(),
                s.toolName(),
                s.toolArguments(),
                s.toolResult(),
                s.metadata(),
                s.attributes(),
                start.plusSeconds(2));
    }

    static SpanRecord withSpanId(SpanRecord s, String spanId) {
        return new SpanRecord(
                s.schemaVersion(),
                s.projectId(),
                s.traceId(),
                spanId,
                s.parentSpanId(),
                s.kind(),
                s.name(),
                s.provider(),
                s.model(),
                s.requestModel(),
                s.startTime(),
                s.endTime(),
                s.latencyMs(),
                s.timeToFirstTokenMs(),
                s.inputTokens(),
                s.outputTokens(),
                s.cachedInputTokens(),
                s.cacheWriteInputTokens(),
                s.reasoningTokens(),
                s.costUsd(),
                s.prompt(),
                s.completion(),
                s.truncated(),
                s.redactions(),
                s.parsedOutput(),
                s.parseError(),
                s.status(),
                s.errorType(),
                s.errorMessage(),
                s.feature(),
                s.sessionId(),
                s.userId(),
                s.decisionId(),
                s.toolName(),
                s.toolArguments(),
                s.toolResult(),
                s.metadata(),
                s.attributes(),
                s.receivedAt());
    }
}
