package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FeedbackReadTest {
    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKeyA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String secretKeyA;

    @ConfigProperty(name = "loupe.test.project-a.admin-key")
    String adminKeyA;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-b.public-key")
    String publicKeyB;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String secretKeyB;

    private String submit(String key, Map<String, Object> body) {
        return given().auth()
                .oauth2(key)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(202)
                .extract()
                .path("feedbackId");
    }

    private JsonPath read(String key, String decisionId) {
        return given().auth()
                .oauth2(key)
                .queryParam("decisionId", decisionId)
                .when()
                .get("/v1/feedback")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void aReadKeySeesItsProjectsFeedbackOldestFirst() {
        String decision = FeedbackFixtures.decisionId();
        String later = submit(
                publicKeyA,
                Map.of(
                        "decisionId",
                        decision,
                        "signal",
                        "thumbs_down",
                        "occurredAt",
                        "2026-11-20T10:05:00Z",
                        "userId",
                        "u-1"));
        String earlier = submit(
                publicKeyA,
                Map.of(
                        "decisionId",
                        decision,
                        "signal",
                        "edited",
                        "correction",
                        "It is 30 days.",
                        "occurredAt",
                        "2026-11-20T10:00:00Z"));
        submit(publicKeyB, Map.of("decisionId", decision, "signal", "correct"));

        JsonPath answer = read(secretKeyA, decision);
        assertThat(answer.getList("feedback.feedbackId", String.class)).containsExactly(earlier, later);
        assertThat(answer.getList("feedback.projectId", String.class)).containsOnly(projectA);
        assertThat(answer.getString("feedback[0].signal")).isEqualTo("EDITED");
        assertThat(answer.getString("feedback[0].correction")).isEqualTo("It is 30 days.");
        assertThat(answer.getString("feedback[1].occurredAt")).isEqualTo("2026-11-20T10:05:00Z");
        assertThat(answer.getString("feedback[1].userId")).isNotEqualTo("u-1").hasSize(64);
        assertThat(answer.getInt("feedback[0].schemaVersion")).isEqualTo(1);
        // admin implies read
        assertThat(read(adminKeyA, decision).getList("feedback")).hasSize(2);
    }

    @Test
    void aLimitKeepsTheOldestAndABadOneIsNamed() {
        String decision = FeedbackFixtures.decisionId();
        String first = submit(
                publicKeyA,
                Map.of("decisionId", decision, "signal", "thumbs_up", "occurredAt", "2026-11-20T10:00:00Z"));
        submit(
                publicKeyA,
                Map.of("decisionId", decision, "signal", "thumbs_down", "occurredAt", "2026-11-20T10:01:00Z"));
        assertThat(given().auth()
                        .oauth2(secretKeyA)
                        .queryParam("decisionId", decision)
                        .queryParam("limit", 1)
                        .when()
                        .get("/v1/feedback")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("feedback.feedbackId", String.class))
                .containsExactly(first);
        given().auth()
                .oauth2(secretKeyA)
                .queryParam("decisionId", decision)
                .queryParam("limit", 0)
                .when()
                .get("/v1/feedback")
                .then()
                .statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("limit"));
    }

    @Test
    void anotherProjectsKeySeesNothingOfThisProject() {
        String decision = FeedbackFixtures.decisionId();
        submit(publicKeyA, Map.of("decisionId", decision, "signal", "incorrect"));

        assertThat(read(secretKeyA, decision).getList("feedback")).hasSize(1);
        assertThat(read(secretKeyB, decision).getList("feedback")).isEmpty();
    }

    @Test
    void thePublicKeyMayNotRead() {
        given().auth()
                .oauth2(publicKeyA)
                .queryParam("decisionId", "d-1")
                .when()
                .get("/v1/feedback")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("field", equalTo("Authorization"));
    }

    @Test
    void aMissingDecisionIdIsAProblemNamingIt() {
        given().auth()
                .oauth2(secretKeyA)
                .when()
                .get("/v1/feedback")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("decisionId"));
    }
}
