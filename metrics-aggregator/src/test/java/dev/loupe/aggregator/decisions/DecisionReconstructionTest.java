package dev.loupe.aggregator.decisions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
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
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DecisionReconstructionTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String keyA;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String keyB;

    @Test
    void decisionComesBackWithItsSpansEvalsAndFeedbackInTimeOrder() {
        String decisionId = "d-" + TestSpans.randomHex(8);
        String traceId = TestSpans.randomHex(32);
        DecisionRecord decision = new DecisionRecord(
                SchemaVersions.CURRENT,
                projectA,
                decisionId,
                traceId,
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
        SpanRecord root = span(traceId, "root", T0);
        SpanRecord llm = span(traceId, "chat gpt-4o", T0.plusMillis(100));
        EvalResult late = eval(decisionId, "faithfulness", T0.plusSeconds(90));
        EvalResult early = eval(decisionId, "json_valid", T0.plusSeconds(30));
        FeedbackRecord feedback = new FeedbackRecord(
                SchemaVersions.CURRENT,
                projectA,
                "f-" + decisionId,
                decisionId,
                FeedbackSignal.EDITED,
                "Within 30 days of delivery",
                null,
                null,
                T0.plusSeconds(60));
        send(Topics.SPANS, traceId, EventJson.encode(llm));
        send(Topics.SPANS, traceId, EventJson.encode(root));
        send(Topics.EVALS, decisionId, EventJson.encode(late));
        send(Topics.EVALS, decisionId, EventJson.encode(early));
        send(Topics.FEEDBACK, decisionId, EventJson.encode(feedback));
        send(Topics.DECISIONS, decisionId, EventJson.encode(decision));
        send(Topics.DECISIONS, decisionId, EventJson.encode(decision)); // redelivered

        DecisionView view = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> {
                            var response = given().auth().oauth2(keyA).get("/v1/decisions/" + decisionId);
                            return response.statusCode() == 200 ? response.as(DecisionView.class) : null;
                        },
                        v -> v != null
                                && v.spans().size() == 2
                                && v.evals().size() == 2
                                && v.feedback().size() == 1);

        // compared as JSON: a JSON null parsedOutput reads back as NullNode, which encodes the same
        assertThat(EventJson.encode(view.decision())).isEqualTo(EventJson.encode(decision));
        assertThat(view.spans()).extracting(SpanRecord::name).containsExactly("root", "chat gpt-4o");
        // every stored field comes back, request model, cache-write tokens and tool texts included (as JSON, as above)
        assertThat(EventJson.encode(view.spans().get(1))).isEqualTo(EventJson.encode(llm));
        assertThat(view.evals()).extracting(EvalResult::evaluator).containsExactly("json_valid", "faithfulness");
        assertThat(view.feedback())
                .singleElement()
                .extracting(FeedbackRecord::correction)
                .isEqualTo("Within 30 days of delivery");

        given().auth()
                .oauth2(keyB)
                .get("/v1/decisions/" + decisionId)
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void incompleteEvalGoesToTheDeadLetterTopic() {
        String decisionId = "d-bad-" + TestSpans.randomHex(6);
        send(Topics.EVALS, decisionId, "{\"schemaVersion\":1,\"projectId\":\"" + projectA + "\",\"evalId\":\"e1\"}");
        var dead = TopicReader.awaitKey(Topics.deadLetter(Topics.EVALS), decisionId, Duration.ofSeconds(15));
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value()))
                .contains("EvalResult");
    }

    @Test
    void overlongDecisionIdIsAProblemNamingIt() {
        given().auth()
                .oauth2(keyA)
                .get("/v1/decisions/" + "x".repeat(300))
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("decisionId"));
    }

    private SpanRecord span(String traceId, String name, Instant start) {
        return new SpanRecord(
                SchemaVersions.CURRENT,
                projectA,
                traceId,
                TestSpans.randomHex(16),
                null,
                SpanKind.LLM,
                name,
                "openai",
                "gpt-4o-2024-08-06",
                "gpt-4o",
                start,
                start.plusMillis(500),
                500L,
                null,
                10L,
                5L,
                null,
                4L,
                null,
                null,
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
                null,
                null,
                null,
                null,
                "{\"query\": \"refund\"}",
                "2 documents",
                Map.of(),
                Map.of(),
                start);
    }

    private EvalResult eval(String decisionId, String evaluator, Instant at) {
        return new EvalResult(
                SchemaVersions.CURRENT,
                projectA,
                "e-" + evaluator + "-" + decisionId,
                decisionId,
                "support-rag",
                evaluator,
                "1",
                0.9,
                true,
                "ok",
                EvalTrigger.SAMPLED,
                Map.of(),
                at);
    }

    private static void send(String topic, String key, String value) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(topic, key, value))
                    .awaitCompletion();
        }
    }
}
