package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What a browser page on another origin (the TypeScript SDK's browser entry) goes through: the preflight, then the
 * post with the public key, whose answer, success or problem, the page must be able to read.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FeedbackCorsTest {
    static final String PAGE = "http://127.0.0.1:3000";

    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @Test
    void preflightFromAPageAllowsThePostWithTheSdksHeaders() {
        Response preflight = given().header("Origin", PAGE)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
                .when()
                .options("/v1/feedback");

        assertThat(preflight.statusCode()).isIn(200, 204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(PAGE);
        assertThat(lowerCaseList(preflight.header("Access-Control-Allow-Headers")))
                .contains("authorization", "content-type", "idempotency-key");
        assertThat(lowerCaseList(preflight.header("Access-Control-Allow-Methods")))
                .contains("post");
        assertThat(preflight.header("Access-Control-Max-Age")).isEqualTo("86400");
        assertNoCredentials(preflight);
    }

    @Test
    void aPagePostsFeedbackWithThePublicKeyAndReadsTheAnswer() {
        Response posted = given().header("Origin", PAGE)
                .auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .header("Idempotency-Key", "cors-" + FeedbackFixtures.decisionId())
                .body(Map.of("decisionId", FeedbackFixtures.decisionId(), "signal", "thumbs_up"))
                .when()
                .post("/v1/feedback");

        assertThat(posted.statusCode()).isEqualTo(202);
        assertThat(posted.header("Access-Control-Allow-Origin")).isEqualTo(PAGE);
        assertThat(lowerCaseList(posted.header("Access-Control-Expose-Headers")))
                .contains("retry-after", "idempotent-replayed");
        assertThat(posted.jsonPath().getString("feedbackId")).isNotBlank();
        assertNoCredentials(posted);
    }

    @Test
    void anUnknownKeyIsStillA401ProblemThePageCanRead() {
        Response refused = given().header("Origin", PAGE)
                .auth()
                .oauth2("lk_0123456789abcdef_" + "ab".repeat(24))
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", FeedbackFixtures.decisionId(), "signal", "thumbs_up"))
                .when()
                .post("/v1/feedback");

        refused.then().statusCode(401).contentType("application/problem+json").body("field", equalTo("Authorization"));
        assertThat(refused.header("Access-Control-Allow-Origin")).isEqualTo(PAGE);
        assertNoCredentials(refused);
    }

    @Test
    void aRequestWithoutAnOriginGetsNoCorsHeaders() {
        Response posted = given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", FeedbackFixtures.decisionId(), "signal", "correct"))
                .when()
                .post("/v1/feedback");

        assertThat(posted.statusCode()).isEqualTo(202);
        assertThat(posted.header("Access-Control-Allow-Origin")).isNull();
    }

    /** Keys, never cookies: a browser must not send credentials, so the answer never says it may. */
    static void assertNoCredentials(Response response) {
        String credentials = response.header("Access-Control-Allow-Credentials");
        assertThat(credentials == null || credentials.equals("false"))
                .as("Access-Control-Allow-Credentials: %s", credentials)
                .isTrue();
    }

    static List<String> lowerCaseList(String header) {
        assertThat(header).isNotNull();
        return Arrays.stream(header.split(","))
                .map(s -> s.strip().toLowerCase(Locale.ROOT))
                .toList();
    }
}
