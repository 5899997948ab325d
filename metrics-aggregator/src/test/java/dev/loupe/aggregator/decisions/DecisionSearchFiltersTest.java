package dev.loupe.aggregator.decisions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** "Similar decisions": the search by model, prompt version and retrieved documents. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DecisionSearchFiltersTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String keyA;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String keyB;

    @Test
    void modelPromptVersionAndRetrievedDocumentsNarrowTheSearch() {
        String feature = "similar-" + TestSpans.randomHex(6);
        String d1 = "d1-" + feature;
        String d2 = "d2-" + feature;
        String d3 = "d3-" + feature;
        send(decision(d1, feature, "gpt-4o", "v7", List.of("kb-1", "kb-2"), T0));
        send(decision(d2, feature, "claude-sonnet", "v7", List.of("kb-2"), T0.plusSeconds(10)));
        send(decision(d3, feature, "gpt-4o-2024-08-06", "v8", List.of("kb-3"), T0.plusSeconds(20)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> ids(keyA, Map.of("feature", feature)).size() == 3);

        // by model key: the dated name and the undated one find each other
        assertThat(ids(keyA, Map.of("feature", feature, "model", "gpt-4o"))).containsExactly(d3, d1);
        assertThat(ids(keyA, Map.of("feature", feature, "model", "gpt-4o-2024-08-06")))
                .containsExactly(d3, d1);
        assertThat(ids(keyA, Map.of("feature", feature, "promptVersion", "v7"))).containsExactly(d2, d1);
        assertThat(ids(keyA, Map.of("feature", feature, "promptVersion", "v7", "model", "gpt-4o")))
                .containsExactly(d1);
        assertThat(ids(keyA, Map.of("feature", feature, "docId", "kb-2"))).containsExactly(d2, d1);
        assertThat(ids(keyA, Map.of("feature", feature, "docId", List.of("kb-1", "kb-2"))))
                .containsExactly(d1);
        assertThat(ids(keyA, Map.of("feature", feature, "docId", "kb-9"))).isEmpty();
        // a docId filter matches a document id, not any text of the record
        assertThat(ids(keyA, Map.of("feature", feature, "docId", "gpt-4o"))).isEmpty();
        assertThat(ids(keyB, Map.of("docId", "kb-2"))).isEmpty();

        given().auth()
                .oauth2(keyA)
                .queryParam("model", "m".repeat(300))
                .get("/v1/decisions")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("model"));
        given().auth()
                .oauth2(keyA)
                .queryParam("promptVersion", " ")
                .get("/v1/decisions")
                .then()
                .statusCode(400)
                .body("field", equalTo("promptVersion"));
    }

    private static List<String> ids(String key, Map<String, Object> params) {
        RequestSpecification request = given().auth()
                .oauth2(key)
                .queryParam("from", T0.minusSeconds(3600).toString())
                .queryParam("to", T0.plusSeconds(3600).toString());
        params.forEach((k, v) -> {
            if (v instanceof List<?> list) {
                request.queryParam(k, list);
            } else {
                request.queryParam(k, v);
            }
        });
        return request
                .get("/v1/decisions")
                .then()
                .statusCode(200)
                .extract()
                .as(DecisionSearchResource.Results.class)
                .decisions()
                .stream()
                .map(f -> f.decision().decisionId())
                .toList();
    }

    private DecisionRecord decision(
            String id, String feature, String model, String promptVersion, List<String> docs, Instant at) {
        return new DecisionRecord(
                SchemaVersions.CURRENT,
                projectA,
                id,
                TestSpans.randomHex(32),
                feature,
                "question",
                "h-in",
                docs.stream().map(d -> new RetrievalResult(d, 0.8, "h-" + d)).toList(),
                "support-answer",
                promptVersion,
                model,
                "answer",
                "h-out",
                null,
                null,
                Map.of(),
                Outcome.SUCCESS,
                null,
                new BigDecimal("0.001"),
                900L,
                at,
                Map.of());
    }

    private static void send(DecisionRecord d) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(Topics.DECISIONS, d.decisionId(), EventJson.encode(d)))
                    .awaitCompletion();
        }
    }
}
