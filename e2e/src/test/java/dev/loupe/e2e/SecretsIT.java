package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.common.crypto.Hmac;
import dev.loupe.testing.TestProject;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No secret of the stack (every project key, the bootstrap token, the tenancy pepper, the identifiers secret, the
 * database password when there is one) is in any table, on any topic or in any log, nor in the answer to a
 * request that presents one where it does not belong; the database holds each key only as HMAC-SHA-256(pepper,
 * key), which the search does find (as it finds each key's id), so the search is proven to work.
 */
@ExtendWith(LoupeStack.Extension.class)
class SecretsIT {
    /** One endpoint of each service that needs a key. */
    private static final Map<String, String> GUARDED = Map.of(
            LoupeStack.COLLECTOR,
            "/v1/spans",
            LoupeStack.AGGREGATOR,
            "/v1/whoami",
            LoupeStack.EVALS,
            "/v1/evaluators",
            LoupeStack.FEEDBACK,
            "/v1/feedback?decisionId=d-1",
            LoupeStack.ALERTS,
            "/v1/rules");

    private final LoupeStack stack;

    SecretsIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void noSecretIsStoredLoggedOrAnsweredAndKeysAreStoredHashed() {
        Map<String, String> secrets = new LinkedHashMap<>(stack.secrets());
        TestProject project = stack.newProject("secrets");
        Map<String, String> keys = new LinkedHashMap<>();
        for (TestProject p : List.of(stack.projectA(), stack.projectB(), project)) {
            keys.put(p.id() + " secret key", p.secretKey());
            keys.put(p.id() + " public key", p.publicKey());
            keys.put(p.id() + " admin key", p.adminKey());
        }
        secrets.putAll(keys);
        // present every secret that is not a credential as a bearer token: the 401 must not echo it
        GUARDED.forEach((service, path) -> {
            for (String secret : secrets.values()) {
                if (secret.equals(stack.bootstrapToken()) || keys.containsValue(secret)) {
                    continue; // valid credentials: the authorisation matrix covers their answers
                }
                var request = given().auth().oauth2(secret).contentType(ContentType.JSON);
                Response wrong = service.equals(LoupeStack.COLLECTOR)
                        ? request.body("{}").post(stack.url(service) + path)
                        : request.get(stack.url(service) + path);
                assertThat(wrong.statusCode()).as(service + path).isEqualTo(401);
                assertThat(wrong.asString()).doesNotContain(secret);
            }
        });
        try (LeakSearch search = LeakSearch.of(stack)) {
            System.out.println("secret search over " + search.summary());
            String pepper = stack.secrets().get("LOUPE_TENANCY_PEPPER");
            assertThat(search.find(Hmac.sha256Hex(pepper, project.adminKey())))
                    .as("the admin key's stored hash")
                    .containsExactly("db:tenancy.api_keys (1 rows)");
            assertThat(search.find(project.adminKey().substring(3, 19)))
                    .as("the admin key's id")
                    .anyMatch(place -> place.startsWith("db:tenancy.api_keys"));
            secrets.forEach((name, value) -> {
                List<String> places = search.find(value);
                System.out.printf("secret %-40s found in %s%n", name, places.isEmpty() ? "nothing" : places);
                assertThat(places).as(name + " is kept in").isEmpty();
            });
        }
    }
}
