package dev.loupe.collector.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The collector stays closed to browsers: spans and decisions need the secret ingest key, which must never be in a
 * web page, so no page on another origin may call it. The TypeScript SDK's browser entry relies on this (it only
 * sends feedback, to feedback-service, the one service that answers CORS). A failure here means CORS was enabled
 * in the collector.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class CollectorClosedToBrowsersTest {
    static final String PAGE = "http://127.0.0.1:3000";

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String secretKey;

    @Test
    void aBrowserPreflightToIngestIsNeverAllowed() {
        for (String path : List.of("/v1/spans", "/v1/decisions")) {
            Response preflight = given().header("Origin", PAGE)
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
                    .when()
                    .options(path);
            assertThat(preflight.header("Access-Control-Allow-Origin"))
                    .as("%s answered a preflight from %s", path, PAGE)
                    .isNull();
            assertThat(preflight.header("Access-Control-Allow-Headers"))
                    .as(path)
                    .isNull();
            assertThat(preflight.header("Access-Control-Allow-Credentials"))
                    .as(path)
                    .isNull();
        }
    }

    @Test
    void aPostCarryingAnOriginGetsNoAllowOrigin() {
        Response posted = given().header("Origin", PAGE)
                .auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(TestSpans.llm()))
                .when()
                .post("/v1/spans");
        // a server-side SDK may well send an Origin; the collector serves it, but a browser could not read it
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.header("Access-Control-Allow-Origin")).isNull();
    }
}
