package dev.loupe.collector.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
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
class SpanIngestResourceTest {
    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String secretKey;

    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Test
    void acceptedSpanIsOnKafkaKeyedByTraceWithTheKeysProject() {
        TestSpans span =
                TestSpans.llm().with("projectId", "someone-elses-project").without("latencyMs");
        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(span))
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1))
                .body("rejected", hasSize(0));

        ConsumerRecord<String, String> published =
                TopicReader.awaitKey(Topics.SPANS, span.traceId(), Duration.ofSeconds(10));
        SpanRecord record = EventJson.decode(published.value(), SpanRecord.class);
        assertThat(record.projectId()).isEqualTo(projectId);
        assertThat(record.spanId()).isEqualTo(span.spanId());
        assertThat(record.latencyMs()).isEqualTo(1250L);
        assertThat(record.metadata()).containsEntry("tier", "pro");
        assertThat(record.userId()).isNotEqualTo("u-42").hasSize(64);
        assertThat(record.receivedAt()).isNotNull();
    }

    @Test
    void oneBadItemDoesNotSinkTheBatch() {
        TestSpans good = TestSpans.llm();
        TestSpans badId = TestSpans.llm().with("traceId", "not-hex");
        TestSpans badTime = TestSpans.llm().with("startTime", "yesterday");

        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(good, badId, badTime))
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1))
                .body("rejected.field", equalTo(List.of("spans[1].traceId", "spans[2].startTime")))
                .body("rejected.index", equalTo(List.of(1, 2)));
    }

    @Test
    void requestModelCacheWritesAndToolTextsTravelCheckedAndRedacted() {
        TestSpans tool = TestSpans.llm()
                .with("model", "gpt-4o-mini-2024-07-18")
                .with("requestModel", "gpt-4o-mini")
                .with("inputTokens", 3000)
                .with("cacheWriteInputTokens", 1200)
                .with("toolName", "send_mail")
                .with("toolArguments", "{\"to\": \"ann@example.com\"}")
                .with("toolResult", "sent to ann@example.com");
        TestSpans negative = TestSpans.llm().with("cacheWriteInputTokens", -1);
        TestSpans badModel = TestSpans.llm().with("requestModel", "gpt-4o\nmini");

        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(tool, negative, badModel))
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1))
                .body("rejected.field", equalTo(List.of("spans[1].cacheWriteInputTokens", "spans[2].requestModel")));

        SpanRecord record = EventJson.decode(
                TopicReader.awaitKey(Topics.SPANS, tool.traceId(), Duration.ofSeconds(10))
                        .value(),
                SpanRecord.class);
        assertThat(record.requestModel()).isEqualTo("gpt-4o-mini");
        assertThat(record.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(record.cacheWriteInputTokens()).isEqualTo(1200L);
        assertThat(record.toolArguments()).isEqualTo("{\"to\": \"[EMAIL]\"}");
        assertThat(record.toolResult()).isEqualTo("sent to [EMAIL]");
        assertThat(record.redactions()).containsEntry("email", 2);
    }

    @Test
    void costsTheDatabaseCannotHoldAreRefusedPerItem() {
        String body = "{\"spans\": ["
                + String.join(
                        ",",
                        EventJson.encode(TestSpans.llm().build()),
                        EventJson.encode(TestSpans.llm().build()).replaceFirst("\\{", "{\"costUsd\": 1e999999999,"),
                        EventJson.encode(TestSpans.llm().build()).replaceFirst("\\{", "{\"costUsd\": 1E-999999999,"),
                        EventJson.encode(TestSpans.llm().build()).replaceFirst("\\{", "{\"costUsd\": 0.0000123456789,"))
                + "]}";
        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(2))
                .body("rejected.field", equalTo(List.of("spans[1].costUsd", "spans[2].costUsd")));
    }

    @Test
    void malformedJsonIsAProblemNamingTheBody() {
        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body("{\"spans\": [ {\"traceId\": ")
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("field", equalTo("body"));
    }

    @Test
    void missingSpansArrayIsAProblemNamingTheField() {
        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(Map.of("spans", "nope"))
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("spans"));
    }

    @Test
    void unknownKeyIsUnauthorized() {
        given().auth()
                .oauth2("lk_0123456789abcdef_" + "ab".repeat(24))
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(TestSpans.llm()))
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("field", equalTo("Authorization"));
    }

    @Test
    void missingKeyIsUnauthorized() {
        given().contentType(ContentType.JSON)
                .body(TestSpans.batch(TestSpans.llm()))
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void feedbackKeyMayNotIngest() {
        given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(TestSpans.llm()))
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("scope"));
    }

    @Test
    void healthIsUpWithDatabaseAndKafka() {
        JsonNode health = given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .extract()
                .as(JsonNode.class);
        assertThat(health.toString()).contains("Reactive PostgreSQL").containsIgnoringCase("kafka");
    }
}
