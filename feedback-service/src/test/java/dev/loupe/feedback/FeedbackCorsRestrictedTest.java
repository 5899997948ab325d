package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** An operator's QUARKUS_HTTP_CORS_ORIGINS: the listed page is answered, any other refused, credentials never. */
@QuarkusTest
@TestProfile(FeedbackCorsRestrictedTest.OneOrigin.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FeedbackCorsRestrictedTest {
    static final String APP = "https://app.example.com";

    public static class OneOrigin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.cors.origins", APP);
        }
    }

    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @Test
    void theListedOriginIsAnsweredWithoutCredentials() {
        Response preflight = preflight(APP);
        assertThat(preflight.statusCode()).isIn(200, 204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        // Quarkus allows credentials for listed origins unless told otherwise; application.properties tells it
        FeedbackCorsTest.assertNoCredentials(preflight);

        Response posted = given().header("Origin", APP)
                .auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", FeedbackFixtures.decisionId(), "signal", "thumbs_up"))
                .when()
                .post("/v1/feedback");
        assertThat(posted.statusCode()).isEqualTo(202);
        assertThat(posted.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        FeedbackCorsTest.assertNoCredentials(posted);
    }

    @Test
    void anotherOriginGetsNoAllowOrigin() {
        Response preflight = preflight(FeedbackCorsTest.PAGE);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
        assertThat(preflight.statusCode()).isEqualTo(403);
    }

    static Response preflight(String origin) {
        return given().header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
                .when()
                .options("/v1/feedback");
    }
}
