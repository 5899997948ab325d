package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.e2e.EndpointTable.Cross;
import dev.loupe.e2e.EndpointTable.Endpoint;
import dev.loupe.e2e.EndpointTable.Request;
import dev.loupe.testing.TestSpans;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every endpoint of every service × every kind of caller: no key, a malformed, unknown or tampered key → 401;
 * a key of each single scope and the bootstrap token → the endpoint's answer or 403 as the READMEs declare;
 * another project's key on the owner's resources → 404 (403 for the owner's project itself), never the owner's
 * data. The endpoint list is checked against each service's OpenAPI document, so a new endpoint cannot be left
 * out. Prints the matrix.
 */
@ExtendWith(LoupeStack.Extension.class)
class AuthorizationMatrixIT {
    private static final List<String> SERVICES = List.of(
            LoupeStack.COLLECTOR, LoupeStack.AGGREGATOR, LoupeStack.EVALS, LoupeStack.FEEDBACK, LoupeStack.ALERTS);
    private static final List<String> PUBLIC_QUARKUS =
            List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/metrics", "/q/openapi");
    private static final List<String> DASHBOARD_PAGES = List.of(
            "/",
            "/cost",
            "/latency",
            "/errors",
            "/quality",
            "/feedback",
            "/alerts",
            "/decisions",
            "/decisions/d-any",
            "/traces",
            "/traces/t-any",
            "/sessions",
            "/sessions/s-any",
            "/users",
            "/users/u-any");

    private final LoupeStack stack;
    private final SecurityFixtures f;

    AuthorizationMatrixIT(LoupeStack stack) {
        this.stack = stack;
        this.f = SecurityFixtures.of(stack);
    }

    /** A kind of caller: the Authorization header it sends (null: none) and the roles it holds. */
    private record Caller(String name, String authorization, Set<String> roles) {}

    @Test
    void everyExposedEndpointIsInTheTableAndNothingElse() {
        Set<String> exposed = new TreeSet<>();
        for (String service : SERVICES) {
            JsonNode openapi = given().get(stack.url(service) + "/q/openapi?format=json")
                    .then()
                    .statusCode(200)
                    .extract()
                    .as(JsonNode.class);
            openapi.path("paths")
                    .properties()
                    .forEach(path -> path.getValue().fieldNames().forEachRemaining(m -> {
                        if (Set.of("get", "put", "post", "delete", "patch", "head", "options")
                                .contains(m)) {
                            exposed.add(service + " " + m.toUpperCase() + " " + path.getKey());
                        }
                    }));
        }
        Set<String> declared = new TreeSet<>();
        EndpointTable.all(f).forEach(e -> declared.add(e.key()));
        System.out.printf(
                "endpoints: %d exposed by the five OpenAPI documents, %d declared%n", exposed.size(), declared.size());
        assertThat(exposed)
                .as("endpoints the services expose (left) vs the security table (right)")
                .containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void everyEndpointAnswersEachCallerAsDeclared() {
        String owner = f.owner.adminKey();
        String tampered = owner.substring(0, owner.length() - 1) + (owner.endsWith("0") ? "1" : "0");
        List<Caller> callers = List.of(
                new Caller("none", null, Set.of()),
                new Caller("basic", "Basic dXNlcjpwYXNz", Set.of()),
                new Caller("malformed", "Bearer not-a-loupe-key", Set.of()),
                new Caller("unknown", "Bearer lk_" + TestSpans.randomHex(16) + "_" + TestSpans.randomHex(48), Set.of()),
                new Caller("tampered", "Bearer " + tampered, Set.of()),
                new Caller("ingest", "Bearer " + f.scopedKeys.get("ingest"), Set.of("ingest")),
                new Caller("feedback", "Bearer " + f.scopedKeys.get("feedback"), Set.of("feedback")),
                new Caller("read", "Bearer " + f.scopedKeys.get("read"), Set.of("read")),
                new Caller("admin", "Bearer " + f.scopedKeys.get("admin"), Set.of("admin", "read")),
                new Caller("bootstrap", "Bearer " + stack.bootstrapToken(), Set.of("bootstrap")));
        List<String> secrets = new ArrayList<>(stack.secrets().values());
        secrets.addAll(List.of(
                f.owner.secretKey(),
                f.owner.publicKey(),
                f.owner.adminKey(),
                f.other.secretKey(),
                f.other.publicKey(),
                f.other.adminKey()));
        secrets.addAll(f.scopedKeys.values());

        SoftAssertions softly = new SoftAssertions();
        Map<String, List<String>> matrix = new LinkedHashMap<>();
        int calls = 0;
        for (Endpoint endpoint : EndpointTable.all(f)) {
            List<String> row = new ArrayList<>();
            for (Caller caller : callers) {
                int expected = caller.roles().isEmpty()
                        ? 401
                        : caller.roles().stream().anyMatch(endpoint.roles()::contains) ? endpoint.ok() : 403;
                Response response = send(endpoint, caller.authorization());
                calls++;
                row.add(String.valueOf(response.statusCode()));
                String what = endpoint.key() + " as " + caller.name() + ": " + response.asString();
                softly.assertThat(response.statusCode()).as(what).isEqualTo(expected);
                if (expected == 401 || expected == 403) {
                    softly.assertThat(response.contentType()).as(what).startsWith("application/problem+json");
                    softly.assertThat(response.jsonPath().getString("field"))
                            .as(what)
                            .isEqualTo("Authorization");
                }
                noSecretIn(softly, what, response.asString(), secrets);
            }
            String otherKey = otherProjectKey(endpoint);
            Response response = send(endpoint, "Bearer " + otherKey);
            calls++;
            row.add(String.valueOf(response.statusCode()));
            String what = endpoint.key() + " as another project: " + response.asString();
            int expected = switch (endpoint.cross()) {
                case NOT_FOUND -> 404;
                case FORBIDDEN -> 403;
                case OWN_PROJECT -> endpoint.ok();
            };
            softly.assertThat(response.statusCode()).as(what).isEqualTo(expected);
            // the problem's instance is the path the caller sent, which may name the owner's project
            softly.assertThat(response.asString().replaceAll("\"instance\":\"[^\"]*\"", ""))
                    .as(what)
                    .doesNotContain(f.ownerContent)
                    .doesNotContain(f.owner.id());
            if (endpoint.cross() != Cross.OWN_PROJECT) {
                softly.assertThat(response.contentType()).as(what).startsWith("application/problem+json");
            }
            noSecretIn(softly, what, response.asString(), secrets);
            matrix.put(endpoint.key(), row);
        }
        print(callers, matrix, calls);
        ownersResourcesSurvivedTheOtherProject(softly);
        softly.assertAll();
    }

    @Test
    void onlyHealthMetricsOpenApiAndTheDashboardShellArePublic() {
        for (String service : SERVICES) {
            for (String path : PUBLIC_QUARKUS) {
                assertThat(given().get(stack.url(service) + path).statusCode())
                        .as(service + path)
                        .isEqualTo(200);
            }
            // development consoles are not part of a packaged service
            assertThat(given().get(stack.url(service) + "/q/dev-ui").statusCode())
                    .as(service)
                    .isEqualTo(404);
            assertThat(given().get(stack.url(service) + "/q/swagger-ui").statusCode())
                    .as(service)
                    .isEqualTo(404);
        }
        String aggregator = stack.url(LoupeStack.AGGREGATOR);
        for (String page : DASHBOARD_PAGES) {
            Response response = given().get(aggregator + page);
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.contentType()).as(page).startsWith("text/html");
            // the shell holds no data: every view asks for a key and reads the API with it
            assertThat(response.asString())
                    .as(page)
                    .doesNotContain(f.ownerContent)
                    .doesNotContain(f.owner.id());
        }
        List<String> assets = new ArrayList<>();
        java.util.regex.Matcher src = java.util.regex.Pattern.compile("(?:src|href)=\"(/[^\"]+)\"")
                .matcher(given().get(aggregator + "/").asString());
        while (src.find()) {
            assets.add(src.group(1));
        }
        assertThat(assets).isNotEmpty();
        assets.forEach(asset -> assertThat(given().get(aggregator + asset).statusCode())
                .as(asset)
                .isEqualTo(200));
    }

    private Response send(Endpoint endpoint, String authorization) {
        Request request = endpoint.request().get();
        RequestSpecification spec = given().urlEncodingEnabled(false);
        if (authorization != null) {
            spec.header("Authorization", authorization);
        }
        if (request.body() != null) {
            spec.contentType(request.contentType()).body(request.body());
        }
        return spec.request(endpoint.method(), stack.url(endpoint.service()) + request.path());
    }

    /** The other project's key that holds a role the endpoint wants, so only the project differs. */
    private String otherProjectKey(Endpoint endpoint) {
        Set<String> roles = endpoint.roles();
        if (roles.contains("admin") || roles.contains("bootstrap")) {
            return f.other.adminKey();
        }
        if (roles.contains("read") || roles.contains("ingest")) {
            return f.other.secretKey();
        }
        return f.other.publicKey();
    }

    private static void noSecretIn(SoftAssertions softly, String what, String body, List<String> secrets) {
        for (String secret : secrets) {
            softly.assertThat(body.contains(secret))
                    .as("a secret in the answer of " + what)
                    .isFalse();
        }
    }

    /** What the other project's PUTs and DELETEs touched was its own: the owner's resources are as they were. */
    private void ownersResourcesSurvivedTheOtherProject(SoftAssertions softly) {
        String key = f.owner.adminKey();
        softly.assertThat(f.call(key)
                        .get(f.url(LoupeStack.ALERTS, "/v1/rules/" + f.ruleId))
                        .jsonPath()
                        .getString("summary"))
                .isEqualTo(f.ownerContent);
        softly.assertThat(f.call(key)
                        .get(f.url(LoupeStack.ALERTS, "/v1/receivers"))
                        .jsonPath()
                        .getList("receivers.name"))
                .contains(f.receiver);
        softly.assertThat(f.call(key)
                        .get(f.url(LoupeStack.ALERTS, "/v1/silences"))
                        .jsonPath()
                        .getList("silences.id"))
                .contains(f.silenceId);
        softly.assertThat(f.call(key)
                        .get(f.url(LoupeStack.EVALS, "/v1/features/" + f.feature + "/evaluation"))
                        .jsonPath()
                        .getString("source"))
                .isEqualTo("feature");
    }

    private static void print(List<Caller> callers, Map<String, List<String>> matrix, int calls) {
        StringBuilder out = new StringBuilder(String.format(
                "%nAuthorization matrix: %d endpoints x %d callers = %d requests%n%-58s",
                matrix.size(), callers.size() + 1, calls, "endpoint"));
        callers.forEach(c -> out.append(String.format(" %9s", c.name())));
        out.append(String.format(" %9s%n", "other-prj"));
        for (Iterator<Map.Entry<String, List<String>>> it = matrix.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, List<String>> row = it.next();
            out.append(String.format("%-58s", row.getKey()));
            row.getValue().forEach(status -> out.append(String.format(" %9s", status)));
            out.append('\n');
        }
        System.out.print(out);
    }
}
