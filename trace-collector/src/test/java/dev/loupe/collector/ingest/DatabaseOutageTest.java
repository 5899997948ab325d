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
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
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

    @Inject
    AdjustableTenancyClock clock;

    /**
     * Lookups cached 30 s, answered from the last lookup for 2 min while the database is away; the test moves the
     * cache's clock past these instead of waiting, and real time (seconds at most) stays well inside them.
     */
    public static class ShortCache implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("loupe.tenancy.cache-ttl", "30s", "loupe.tenancy.stale-if-error", "2m");
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(AdjustableTenancyClock.class);
        }
    }

    @Test
    void knownKeysKeepIngestingUnseenKeysAreToldToRetryNeverA500() {
        post(knownKey).statusCode(200); // warm: the first request also waits for Kafka
        clock.advance(Duration.ofSeconds(31)); // past cache-ttl
        post(knownKey).statusCode(200); // looked up again: cached, and remembered
        ProxiedPostgresTestResource.proxy().cut();
        try {
            clock.advance(Duration.ofSeconds(31)); // past cache-ttl: the next request looks it up again
            post(knownKey).statusCode(200).body("accepted", equalTo(1));
            given().get("/q/health/ready").then().statusCode(503);
            post(unseenKey)
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", "5")
                    .body("detail", containsString("database is unavailable"));

            clock.advance(Duration.ofSeconds(90)); // 121 s after the last lookup: past stale-if-error
            post(knownKey)
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", "5");
        } finally {
            ProxiedPostgresTestResource.proxy().restore();
        }
        post(unseenKey).statusCode(200);
        post(knownKey).statusCode(200);
    }

    private static ValidatableResponse post(String key) {
        return given().auth()
                .oauth2(key)
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(TestSpans.llm()))
                .when()
                .post("/v1/spans")
                .then();
    }
}
