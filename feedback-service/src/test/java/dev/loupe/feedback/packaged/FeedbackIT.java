package dev.loupe.feedback.packaged;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.LaunchedArtifact;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged feedback-service (fast-jar; native executable with {@code -Dnative}) as a client and an operator
 * meet it: over HTTP, Kafka and its database only. One launch for the class.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(PackagedFeedbackSettings.class)
class FeedbackIT {
    private TestProject project;

    @BeforeEach
    void readTheSeededProject() {
        project = LaunchedArtifact.project("project-a");
    }

    @Test
    void feedbackIsStoredRedactedAndPublishedThroughTheOutbox() throws SQLException {
        String decision = decisionId();
        String feedbackId = given().auth()
                .oauth2(project.publicKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisionId",
                        decision,
                        "signal",
                        "edited",
                        "correction",
                        "Write to jane.doe@example.com instead.",
                        "userId",
                        "u-42"))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(202)
                .body("decisionId", equalTo(decision))
                .extract()
                .path("feedbackId");

        FeedbackRecord published = EventJson.decode(
                TopicReader.awaitKey(Topics.FEEDBACK, decision, Duration.ofSeconds(20))
                        .value(),
                FeedbackRecord.class);
        assertThat(published.feedbackId()).isEqualTo(feedbackId);
        assertThat(published.projectId()).isEqualTo(project.id());
        assertThat(published.signal()).isEqualTo(FeedbackSignal.EDITED);
        assertThat(published.correction()).isEqualTo("Write to [EMAIL] instead.");
        assertThat(published.userId()).isNotEqualTo("u-42").hasSize(64);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (Connection c = LaunchedArtifact.database();
                    PreparedStatement s = c.prepareStatement(
                            "select project_id, correction, published_at from feedback.feedback where id = ?")) {
                s.setString(1, feedbackId);
                try (ResultSet row = s.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getString("project_id")).isEqualTo(project.id());
                    assertThat(row.getString("correction")).isEqualTo("Write to [EMAIL] instead.");
                    assertThat(row.getTimestamp("published_at")).isNotNull();
                }
            }
        });
    }

    @Test
    void aBatchIsJudgedPerItemAndReadBackWithAReadKey() {
        String decision = decisionId();
        given().auth()
                .oauth2(project.publicKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "feedback",
                        List.of(
                                Map.of("decisionId", decision, "signal", "thumbs_up"),
                                Map.of("decisionId", decision, "signal", "loved-it"),
                                Map.of("decisionId", decision, "signal", "CORRECT"))))
                .when()
                .post("/v1/feedback/batch")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(2))
                .body("rejected.field", equalTo(List.of("feedback[1].signal")))
                .body("items.index", equalTo(List.of(0, 2)));

        given().auth()
                .oauth2(project.secretKey())
                .queryParam("decisionId", decision)
                .when()
                .get("/v1/feedback")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("feedback", hasSize(2))
                .body("feedback.decisionId", equalTo(List.of(decision, decision)))
                .body("feedback.projectId", equalTo(List.of(project.id(), project.id())));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyAnswersTheFirstFeedback() {
        String decision = decisionId();
        Map<String, String> body = Map.of("decisionId", decision, "signal", "thumbs_down");
        String first = given().auth()
                .oauth2(project.publicKey())
                .header("Idempotency-Key", "retry-" + decision)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/feedback")
                .then()
                .statusCode(202)
                .extract()
                .path("feedbackId");
        given().auth()
                .oauth2(project.publicKey())
                .header("Idempotency-Key", "retry-" + decision)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/feedback")
                .then()
                .statusCode(202)
                .header("Idempotent-Replayed", "true")
                .body("feedbackId", equalTo(first));
    }

    @Test
    void noKeyIsUnauthorizedAndAKeyWithoutTheScopeIsForbidden() {
        given().contentType(ContentType.JSON)
                .body(Map.of("decisionId", decisionId(), "signal", "correct"))
                .post("/v1/feedback")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer")
                .body("field", equalTo("Authorization"));
        // the secret key ingests and reads, but does not give feedback; the public key gives feedback, but cannot read
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", decisionId(), "signal", "correct"))
                .post("/v1/feedback")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("field", equalTo("Authorization"));
        given().auth()
                .oauth2(project.publicKey())
                .queryParam("decisionId", decisionId())
                .get("/v1/feedback")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        given().auth()
                .oauth2(project.publicKey())
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", decisionId(), "signal", "edited"))
                .post("/v1/feedback")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("field", equalTo("correction"));
        given().auth()
                .oauth2(project.publicKey())
                .contentType(ContentType.JSON)
                .body("{\"decisionId\": ")
                .post("/v1/feedback")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("body"));
        given().auth()
                .oauth2(project.secretKey())
                .get("/v1/feedback")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("decisionId"));
    }

    @Test
    void healthAndMetricsAnswer() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("loupe_feedback_outbox_pending"));
    }

    private static String decisionId() {
        return "d-" + UUID.randomUUID();
    }
}
