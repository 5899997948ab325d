package dev.loupe.collector.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.ProxiedPostgresTestResource;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL away (the fault proxy between the collector and its database cut): keys looked up within
 * {@code stale-if-error} keep ingesting, a key never looked up is told to come back later (503 with Retry-After),
 * and nothing answers 500 or 401 for a valid key.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(ProxiedPostgresTestResource.class)
@TestProfile(DatabaseOutageTest.ShortCache.class)
class DatabaseOutageTest {
    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String knownKey;
    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String unseenKey;

    /** Lookups cached 1 s, answered from the last lookup for 5 s while the database is away. */
    public static class ShortCache implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("loupe.tenancy.cache-ttl", "1s", "loupe.tenancy.stale-if-error", "5s");
        }
    }

    @Test
    void knownKeysKeepIngestingUnseenKeysAreToldToRetryNeverA500() throws InterruptedException {
        post(knownKey).statusCode(200);                      // warm: the first request also waits for Kafka
        Thread.sleep(1_100);
        long lookedUp = System.nanoTime();
        post(knownKey).statusCode(200);                      // looked up again: cached, and remembered
        ProxiedPostgresTestResource.proxy().cut();
        try {
            Thread.sleep(1_500);                             // past cache-ttl: the next request looks it up again
            post(knownKey).statusCode(200).body("accepted", equalTo(1));
            given().get("/q/health/ready").then().statusCode(503);
            post(unseenKey).statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "5").body("detail", containsString("database is unavailable"));

            Thread.sleep(Math.max(0, 5_500 - (System.nanoTime() - lookedUp) / 1_000_000)); // past stale-if-error
            post(knownKey).statusCode(503).contentType("application/problem+json").header("Retry-After", "5");
        } finally {
            ProxiedPostgresTestResource.proxy().restore();
        }
        post(unseenKey).statusCode(200);
        post(knownKey).statusCode(200);
    }

    private static ValidatableResponse post(String key) {
        return given().auth().oauth2(key).contentType(ContentType.JSON).body(TestSpans.batch(TestSpans.llm()))
                .when().post("/v1/spans").then();
    }
}
