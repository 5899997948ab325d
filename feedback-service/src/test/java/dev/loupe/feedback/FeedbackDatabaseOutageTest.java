package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.ProxiedPostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL away (the fault proxy between the service and its database cut): every Panache path (the insert, the
 * idempotency look-up, a batch, the read) answers 503 problem+json with Retry-After, never 500, and works again
 * once the database is back. The keys were looked up before the cut, so it is the feedback's own storage failing.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ProxiedPostgresTestResource.class)
class FeedbackDatabaseOutageTest {
    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String secretKey;

    @Test
    void everyStoragePathAnswers503WhileTheDatabaseIsAway() {
        String decision = FeedbackFixtures.decisionId();
        post(Map.of("decisionId", decision, "signal", "correct")).statusCode(202); // keys looked up and cached
        read(decision).statusCode(200);
        ProxiedPostgresTestResource.proxy().cut();
        try {
            unavailable(post(Map.of("decisionId", decision, "signal", "incorrect")));
            unavailable(post(Map.of("decisionId", decision, "signal", "incorrect", "idempotencyKey", "k-outage")));
            unavailable(given().auth()
                    .oauth2(publicKey)
                    .contentType(ContentType.JSON)
                    .body(Map.of("feedback", List.of(Map.of("decisionId", decision, "signal", "correct"))))
                    .when()
                    .post("/v1/feedback/batch")
                    .then());
            unavailable(read(decision));
        } finally {
            ProxiedPostgresTestResource.proxy().restore();
        }
        post(Map.of("decisionId", decision, "signal", "incorrect", "idempotencyKey", "k-outage"))
                .statusCode(202);
    }

    private static void unavailable(ValidatableResponse response) {
        response.statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "5")
                .body("detail", containsString("database is unavailable"));
    }

    private ValidatableResponse post(Map<String, Object> body) {
        return given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/v1/feedback")
                .then();
    }

    private ValidatableResponse read(String decision) {
        return given().auth()
                .oauth2(secretKey)
                .queryParam("decisionId", decision)
                .when()
                .get("/v1/feedback")
                .then();
    }
}
