package dev.loupe.aggregator.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The dashboard's forwarded calls reach the other service with the caller's key and body, and its answer comes back. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeDownstream.class)
class ForwardingTest {
    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String readKey;

    @ConfigProperty(name = "loupe.test.project-a.admin-key")
    String adminKey;

    @Test
    void acknowledgementGoesToAlertManagerWithTheCallersKeyAndBody() {
        given().auth()
                .oauth2(adminKey)
                .contentType("application/json")
                .body("{\"by\": \"alice\"}")
                .post("/v1/alerts/0123456789abcdef/ack")
                .then()
                .statusCode(201)
                .contentType("application/json")
                .body("method", equalTo("POST"))
                .body("path", equalTo("/v1/alerts/0123456789abcdef/ack"))
                .body("authorization", equalTo("Bearer " + adminKey))
                .body("contentType", containsString("application/json"))
                .body("body", equalTo("{\"by\": \"alice\"}"));
    }

    @Test
    void silenceIsForwardedAsSent() {
        String silence =
                "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"eval-pass-rate-drop\"}],\"endsAt\":\"2030-01-01T00:00:00Z\"}";
        given().auth()
                .oauth2(adminKey)
                .contentType("application/json")
                .body(silence)
                .post("/v1/silences")
                .then()
                .statusCode(201)
                .body("path", equalTo("/v1/silences"))
                .body("body", equalTo(silence))
                .body("authorization", equalTo("Bearer " + adminKey));
    }

    @Test
    void theOtherServicesAnswerIsRelayedStatusAndAll() {
        given().auth().oauth2(readKey).get("/v1/rules").then().statusCode(403).contentType("application/problem+json");
        given().auth()
                .oauth2(readKey)
                .get("/v1/datasets")
                .then()
                .statusCode(201)
                .body("path", equalTo("/v1/datasets"))
                .body("authorization", equalTo("Bearer " + readKey));
    }

    @Test
    void datasetExportKeepsItsTypeAndAttachmentAndEncodesTheName() {
        given().auth()
                .oauth2(readKey)
                .get("/v1/datasets/support-rag/export")
                .then()
                .statusCode(200)
                .contentType("application/x-ndjson")
                .header("Content-Disposition", containsString("support-rag.jsonl"))
                .body(equalTo("{\"caseId\":\"c1\"}\n{\"caseId\":\"c2\"}\n"));
    }

    @Test
    void aFeaturesEvaluationGoesToEvalRunnerWithItsNameEncoded() {
        given().auth()
                .oauth2(readKey)
                .get("/v1/features/{f}/evaluation", "support rag/v2?x=1")
                .then()
                .statusCode(201)
                .body("method", equalTo("GET"))
                .body("path", equalTo("/v1/features/support%20rag%2Fv2%3Fx%3D1/evaluation"))
                .body("authorization", equalTo("Bearer " + readKey));
        given().auth()
                .oauth2(readKey)
                .get("/v1/features/{f}/evaluation", "x".repeat(257))
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("feature"));
    }
}
