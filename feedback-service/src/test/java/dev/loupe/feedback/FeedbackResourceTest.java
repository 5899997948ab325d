package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FeedbackResourceTest {
    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String secretKey;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Inject
    Pool pool;

    @Test
    void feedbackIsStoredAndPublishedKeyedByDecision() {
        String storedId = given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisionId",
                        "d-77",
                        "signal",
                        "thumbs_down",
                        "correction",
                        "It is 30 days.",
                        "userId",
                        "u-42"))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(202)
                .body("decisionId", equalTo("d-77"))
                .extract()
                .path("feedbackId");

        var published = TopicReader.awaitKey(Topics.FEEDBACK, "d-77", Duration.ofSeconds(10));
        FeedbackRecord record = EventJson.decode(published.value(), FeedbackRecord.class);
        assertThat(record.feedbackId()).isEqualTo(storedId);
        assertThat(record.projectId()).isEqualTo(projectId);
        assertThat(record.signal()).isEqualTo(FeedbackSignal.THUMBS_DOWN);
        assertThat(record.correction()).isEqualTo("It is 30 days.");
        assertThat(record.userId()).isNotEqualTo("u-42").hasSize(64);
    }

    @Test
    void storedFeedbackIsMarkedPublishedOnceKafkaAcknowledged() {
        String id = given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", "d-78", "signal", "CORRECT"))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(202)
                .extract()
                .path("feedbackId");

        Row stored = FeedbackFixtures.row(pool, id);
        assertThat(stored.getString("project_id")).isEqualTo(projectId);
        assertThat(stored.getString("signal")).isEqualTo("CORRECT");
        FeedbackFixtures.awaitPublishedAt(pool, id);
        assertThat(FeedbackFixtures.published(id)).hasSize(1);
    }

    @Test
    void signalsAreReadInAnyCase() {
        for (String signal : List.of("Thumbs_Up", "DISMISSED", "incorrect", "thumbs_DOWN")) {
            String decision = FeedbackFixtures.decisionId();
            String id = given().auth()
                    .oauth2(publicKey)
                    .contentType(ContentType.JSON)
                    .body(Map.of("decisionId", decision, "signal", signal))
                    .when()
                    .post("/v1/feedback")
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("feedbackId");
            assertThat(FeedbackFixtures.row(pool, id).getString("signal")).isEqualTo(signal.toUpperCase(Locale.ROOT));
            var published = TopicReader.awaitKey(Topics.FEEDBACK, decision, Duration.ofSeconds(10));
            assertThat(EventJson.decode(published.value(), FeedbackRecord.class).signal())
                    .isEqualTo(FeedbackSignal.valueOf(signal.toUpperCase(Locale.ROOT)));
        }
    }

    @Test
    void editedWithoutACorrectionIsAProblemNamingIt() {
        String decision = FeedbackFixtures.decisionId();
        for (Map<String, Object> body : List.of(
                Map.<String, Object>of("decisionId", decision, "signal", "edited"),
                Map.<String, Object>of("decisionId", decision, "signal", "EDITED", "correction", "  "))) {
            given().auth()
                    .oauth2(publicKey)
                    .contentType(ContentType.JSON)
                    .body(body)
                    .when()
                    .post("/v1/feedback")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("field", equalTo("correction"));
        }
        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision)).isZero();
    }

    @Test
    void badValuesAreProblemsNamingTheirField() {
        Map<String, Map<String, Object>> cases = Map.of(
                "occurredAt", Map.of("decisionId", "d-2", "signal", "correct", "occurredAt", "yesterday"),
                "feedbackText", Map.of("decisionId", "d-2", "signal", "correct", "feedbackText", "x".repeat(10001)),
                "idempotencyKey", Map.of("decisionId", "d-2", "signal", "correct", "idempotencyKey", "a\tb"),
                "body", Map.of());
        cases.forEach((field, body) -> given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(field.equals("body") ? "[1, 2]" : EventJson.encode(body))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo(field)));
    }

    @Test
    void unknownSignalIsAProblemNamingIt() {
        given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", "d-1", "signal", "meh"))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("signal"));
    }

    @Test
    void missingDecisionIsAProblemNamingIt() {
        given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of("signal", "correct"))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("decisionId"));
    }

    @Test
    void keyWithoutFeedbackScopeIsForbidden() {
        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", "d", "signal", "correct"))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }
}
