package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The walking skeleton across real processes: HTTP → collector → Kafka → aggregator → PostgreSQL → HTTP. */
@ExtendWith(LoupeStack.Extension.class)
class SkeletonIT {
    private final LoupeStack stack;

    SkeletonIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void spanPostedToTheCollectorComesBackFromTheTraceApi() {
        TestSpans span = TestSpans.llm().with("feature", "e2e-chat").with("metadata", Map.of("tier", "pro"));
        given().auth()
                .oauth2(stack.projectA().secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(span))
                .when()
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1))
                .body("rejected", hasSize(0));

        JsonPath trace = awaitTrace(stack.projectA().secretKey(), span.traceId());

        assertThat(trace.getString("traceId")).isEqualTo(span.traceId());
        assertThat(trace.getList("spans")).hasSize(1);
        assertThat(trace.getString("spans[0].spanId")).isEqualTo(span.spanId());
        assertThat(trace.getString("spans[0].projectId"))
                .isEqualTo(stack.projectA().id());
        assertThat(trace.getString("spans[0].feature")).isEqualTo("e2e-chat");
        assertThat(trace.getLong("spans[0].latencyMs")).isEqualTo(1250L);
        assertThat(trace.getInt("spans[0].inputTokens")).isEqualTo(812);
        assertThat(trace.getString("spans[0].metadata.tier")).isEqualTo("pro");
        assertThat(trace.getString("spans[0].status")).isEqualTo("SUCCESS");
    }

    @Test
    void everyShippedRulesRunbookLinkOpensOnTheStacksOwnDashboard() {
        TestProject project = stack.newProject("e2e-runbooks");
        List<String> links = given().auth()
                .oauth2(project.secretKey())
                .get(stack.url(LoupeStack.ALERTS) + "/v1/rules")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("rules.runbookUrl", String.class);

        assertThat(links).isNotEmpty().doesNotContainNull();
        String base = stack.url(LoupeStack.AGGREGATOR) + "/runbooks/";
        for (String link : links) {
            assertThat(link).as("runbook link").startsWith(base);
            String name = link.substring(base.length()).replaceFirst("\\.md$", "");
            Response page = given().get(link); // public: no key, as a notification's reader has none
            assertThat(page.statusCode()).as(link).isEqualTo(200);
            assertThat(page.contentType()).as(link).startsWith("text/html");
            assertThat(page.asString()).as(link).contains(name);
        }
    }

    @Test
    void decisionPostedToTheCollectorIsReconstructedWithItsSpansAndFeedback() {
        TestSpans span = TestSpans.llm().with("feature", "e2e-rag");
        String decisionId = (String) span.build().get("decisionId");
        given().auth()
                .oauth2(stack.projectA().secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(span))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(stack.projectA().secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisions",
                        List.of(Map.of(
                                "decisionId",
                                decisionId,
                                "traceId",
                                span.traceId(),
                                "feature",
                                "e2e-rag",
                                "input",
                                "mail me at a@b.example",
                                "output",
                                "done"))))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/decisions")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));
        given().auth()
                .oauth2(stack.projectA().publicKey())
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", decisionId, "signal", "incorrect", "correction", "not done"))
                .post(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback")
                .then()
                .statusCode(202);

        JsonPath view = await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            Response response = given().auth()
                                    .oauth2(stack.projectA().secretKey())
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/decisions/" + decisionId);
                            return response.statusCode() == 200 ? response.jsonPath() : null;
                        },
                        path -> path != null
                                && path.getList("spans").size() == 1
                                && path.getList("feedback").size() == 1);

        assertThat(view.getString("decision.input")).isEqualTo("mail me at [EMAIL]");
        assertThat(view.getString("spans[0].spanId")).isEqualTo(span.spanId());
        assertThat(view.getString("feedback[0].signal")).isEqualTo("INCORRECT");
        given().auth()
                .oauth2(stack.projectB().secretKey())
                .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/decisions/" + decisionId)
                .then()
                .statusCode(404);
    }

    @Test
    void anotherProjectsKeyGetsNotFound() {
        TestSpans span = TestSpans.llm();
        given().auth()
                .oauth2(stack.projectA().secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(span))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(200);
        awaitTrace(stack.projectA().secretKey(), span.traceId());

        given().auth()
                .oauth2(stack.projectB().secretKey())
                .when()
                .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + span.traceId())
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void malformedBatchIsAProblemNamingTheField() {
        given().auth()
                .oauth2(stack.projectA().secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of("spans", Map.of("traceId", "x")))
                .when()
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("spans"));
        given().auth()
                .oauth2(stack.projectA().secretKey())
                .contentType(ContentType.JSON)
                .body("{\"spans\": [}")
                .when()
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("body"));
    }

    @Test
    void wrongKeyIsUnauthorizedEverywhere() {
        String wrong = "lk_00000000000000aa_" + "0".repeat(48);
        for (String service : List.of(LoupeStack.COLLECTOR, LoupeStack.AGGREGATOR, LoupeStack.FEEDBACK)) {
            String path = switch (service) {
                case LoupeStack.COLLECTOR -> "/v1/spans";
                case LoupeStack.FEEDBACK -> "/v1/feedback";
                default -> "/v1/traces/" + TestSpans.randomHex(32);
            };
            var request = given().auth().oauth2(wrong).contentType(ContentType.JSON);
            Response response = path.startsWith("/v1/traces")
                    ? request.get(stack.url(service) + path)
                    : request.body(Map.of()).post(stack.url(service) + path);
            assertThat(response.statusCode()).as(service).isEqualTo(401);
            assertThat(response.contentType()).as(service).startsWith("application/problem+json");
        }
    }

    @Test
    void feedbackWithThePublicKeyIsAccepted() {
        given().auth()
                .oauth2(stack.projectA().publicKey())
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", "d-e2e", "signal", "thumbs_up"))
                .when()
                .post(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback")
                .then()
                .statusCode(202)
                .body("decisionId", equalTo("d-e2e"));
    }

    @Test
    void everyServiceIsReadyAndExposesPrometheusMetrics() {
        for (String service : List.of(
                LoupeStack.COLLECTOR,
                LoupeStack.AGGREGATOR,
                LoupeStack.EVALS,
                LoupeStack.FEEDBACK,
                LoupeStack.ALERTS)) {
            given().get(stack.url(service) + "/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("UP"));
            String metrics = given().get(stack.url(service) + "/q/metrics")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            assertThat(metrics).as(service).contains("jvm_memory_used_bytes");
        }
    }

    private JsonPath awaitTrace(String key, String traceId) {
        return await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            Response response = given().auth()
                                    .oauth2(key)
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + traceId);
                            return response.statusCode() == 200 ? response.jsonPath() : null;
                        },
                        path -> path != null);
    }
}
