package dev.loupe.aggregator.prices;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class PriceResourceTest {
    static final String DAY = "2026-11-27";

    @ConfigProperty(name = "loupe.test.project-a.admin-key")
    String adminA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String readA;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-b.admin-key")
    String adminB;

    @ConfigProperty(name = "loupe.test.project-b.id")
    String projectB;

    @Test
    void anAdminSetsAPriceItsProjectSeesAndNoOtherProjectDoes() {
        Map<String, Object> body = Map.of(
                "effectiveFrom",
                "2026-12-01T00:00:00Z",
                "inputPerMillion",
                1.5,
                "outputPerMillion",
                6,
                "cachedReadPerMillion",
                0.15);
        given().auth()
                .oauth2(adminA)
                .contentType(ContentType.JSON)
                .body(body)
                .put("/v1/prices/OpenAI/ft:gpt-4o-mini:acme")
                .then()
                .statusCode(201)
                .body("origin", equalTo("override"))
                .body("provider", equalTo("openai"))
                .body("model", equalTo("ft:gpt-4o-mini:acme"))
                .body("effectiveFrom", equalTo("2026-12-01T00:00:00Z"))
                .body("perMillion.input", equalTo(1.5f))
                .body("perMillion.cachedRead", equalTo(0.15f));
        // the same model and effective time again replaces the entry
        given().auth()
                .oauth2(adminA)
                .contentType(ContentType.JSON)
                .body(Map.of("effectiveFrom", "2026-12-01T00:00:00Z", "inputPerMillion", 2, "outputPerMillion", 6))
                .put("/v1/prices/openai/ft:gpt-4o-mini:acme")
                .then()
                .statusCode(200)
                .body("perMillion.input", equalTo(2));

        JsonPath mine = table(readA);
        assertThat(mine.getString("projectId")).isEqualTo(projectA);
        assertThat(mine.getList("overrides.model")).containsExactly("ft:gpt-4o-mini:acme");
        assertThat(mine.getList("overrides.perMillion.cachedRead")).containsOnlyNulls();
        JsonPath theirs = table(adminB);
        assertThat(theirs.getString("projectId")).isEqualTo(projectB);
        assertThat(theirs.getList("overrides")).isEmpty();
    }

    @Test
    void theBuiltInTableComesWithItsSources() {
        JsonPath table = table(readA);
        assertThat(table.getList("builtIn.model", String.class))
                .contains("gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro", "mistral-large");
        Map<String, Object> sonnet = table.getMap("builtIn.find { it.model == 'claude-sonnet-4-5' }");
        assertThat(sonnet).containsEntry("origin", "built-in").containsEntry("provider", "anthropic");
        assertThat(table.getString("builtIn.find { it.model == 'claude-sonnet-4-5' }.source.url"))
                .startsWith("https://");
        assertThat(table.getInt("builtIn.find { it.model == 'claude-sonnet-4-5' }.tiers[0].inputTokensAbove"))
                .isEqualTo(200_000);
        assertThat(table.getString("overrideRule")).contains("effectiveFrom");
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        given().auth()
                .oauth2(adminA)
                .contentType(ContentType.JSON)
                .body(Map.of("inputPerMillion", 1))
                .put("/v1/prices/openai/gpt-4o")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("outputPerMillion"));
        given().auth()
                .oauth2(adminA)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "effectiveFrom",
                        "tomorrow",
                        "inputPerMillion",
                        1,
                        "outputPerMillion",
                        2,
                        "reasoningPerMillion",
                        -1))
                .put("/v1/prices/openai/gpt-4o")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItems("effectiveFrom", "reasoningPerMillion"));
        given().auth()
                .oauth2(adminA)
                .contentType(ContentType.JSON)
                .body(Map.of("inputPerMillion", "cheap", "outputPerMillion", 2))
                .put("/v1/prices/openai/gpt-4o")
                .then()
                .statusCode(400)
                .body("field", equalTo("inputPerMillion"));
        given().auth()
                .oauth2(adminA)
                .contentType(ContentType.JSON)
                .body(Map.of("inputPerMillion", 1, "outputPerMillion", 2))
                .put("/v1/prices/open%20ai/gpt-4o")
                .then()
                .statusCode(400)
                .body("field", equalTo("provider"));
        // valid JSON numbers and instants that PostgreSQL could not store: the field is named, never a 500
        given().auth()
                .oauth2(adminA)
                .contentType(ContentType.JSON)
                .body("{\"inputPerMillion\": 1e-999999, \"outputPerMillion\": 0.000000001}")
                .put("/v1/prices/openai/gpt-4o")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItems("inputPerMillion", "outputPerMillion"));
        given().auth()
                .oauth2(adminA)
                .contentType(ContentType.JSON)
                .body(Map.of("effectiveFrom", "+10000-01-01T00:00:00Z", "inputPerMillion", 1, "outputPerMillion", 2))
                .put("/v1/prices/openai/gpt-4o")
                .then()
                .statusCode(400)
                .body("field", equalTo("effectiveFrom"))
                .body("detail", containsString("0001 and 9999"));
        given().auth()
                .oauth2(adminA)
                .when()
                .get("/v1/prices/unpriced?from=yesterday")
                .then()
                .statusCode(400)
                .body("field", equalTo("from"));
    }

    @Test
    void aReadKeyCannotSetPrices() {
        given().auth()
                .oauth2(readA)
                .contentType(ContentType.JSON)
                .body(Map.of("inputPerMillion", 1, "outputPerMillion", 2))
                .put("/v1/prices/openai/gpt-4o")
                .then()
                .statusCode(403);
    }

    @Test
    void unpricedModelsAreCountedPerModelForTheCallersProjectOnly() {
        // a project of its own: other tests of this application write spans into project A
        JsonPath created = given().auth()
                .oauth2("test-bootstrap-token")
                .contentType(ContentType.JSON)
                .body(Map.of("name", "unpriced"))
                .post("/v1/projects")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        String project = created.getString("id");
        String readKey = created.getString("keys[0].key");
        send(List.of(
                span(project, "my-finetune", "vllm", 1000L, 50L, null),
                span(project, "my-finetune", "vllm", 2000L, 70L, null),
                span(project, "gpt-4o", "openai", 1000L, 100L, "0.0035"),
                span(project, "no-usage-model", "openai", null, null, null),
                span(projectB, "their-finetune", "vllm", 10L, 10L, null)));
        String range = "?from=" + DAY + "T00:00:00Z&to=" + DAY + "T23:59:59Z";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath unpriced = given().auth()
                    .oauth2(readKey)
                    .get("/v1/prices/unpriced" + range)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(unpriced.getList("models.model")).containsExactly("my-finetune");
            assertThat(unpriced.getInt("models[0].calls")).isEqualTo(2);
            assertThat(unpriced.getInt("models[0].inputTokens")).isEqualTo(3000);
            assertThat(unpriced.getInt("models[0].outputTokens")).isEqualTo(120);
            assertThat(unpriced.getString("models[0].provider")).isEqualTo("vllm");
        });
    }

    private static JsonPath table(String key) {
        return given().auth()
                .oauth2(key)
                .get("/v1/prices")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static Map<String, Object> span(
            String projectId, String model, String provider, Long in, Long out, String cost) {
        Map<String, Object> span = new HashMap<>();
        span.put("schemaVersion", SchemaVersions.CURRENT);
        span.put("projectId", projectId);
        span.put("traceId", TestSpans.randomHex(32));
        span.put("spanId", TestSpans.randomHex(16));
        span.put("kind", "LLM");
        span.put("name", "chat " + model);
        span.put("provider", provider);
        span.put("model", model);
        span.put("startTime", DAY + "T10:00:00Z");
        span.put("latencyMs", 900);
        span.put("inputTokens", in);
        span.put("outputTokens", out);
        span.put("costUsd", cost);
        span.put("status", "SUCCESS");
        span.put("receivedAt", DAY + "T10:00:01Z");
        return span;
    }

    private static void send(List<Map<String, Object>> spans) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            List<ProducerRecord<String, String>> records = spans.stream()
                    .map(s -> new ProducerRecord<>(Topics.SPANS, (String) s.get("traceId"), encode(s)))
                    .toList();
            kafka.produceStrings().fromRecords(records).awaitCompletion();
        }
    }

    private static String encode(Map<String, Object> span) {
        try {
            return EventJson.mapper().writeValueAsString(span);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
