package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole feedback loop across real processes: a decision goes in through the collector and is evaluated
 * (SAMPLED); a user's correction comes in through feedback-service with the browser-safe key; the eval-runner
 * re-evaluates the decision against the correction (FEEDBACK) and files a regression case; the aggregator's
 * decision view shows the feedback and both evaluations, its metrics count the correction and the
 * disagreement, and the case is in the exported dataset, ready for a run.
 */
@ExtendWith(LoupeStack.Extension.class)
class FeedbackLoopIT {
    private final LoupeStack stack;

    FeedbackLoopIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void aCorrectionIsReEvaluatedShownWithTheDecisionCountedAndExportedAsARegressionCase() {
        String feature = "e2e-loop-" + Long.toHexString(System.nanoTime());
        String decisionId = feature + "-d1";
        Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        given().auth()
                .oauth2(stack.projectA().adminKey())
                .contentType(ContentType.JSON)
                .body("""
                        {"samplingRate": 1, "evaluators": [
                          {"name": "refusal"}, {"name": "contains_all", "config": {"values": ["30 days"]}}]}""")
                .put(stack.url(LoupeStack.EVALS) + "/v1/features/" + feature + "/evaluation")
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
                                "4bf92f3577b34da6a3ce929d0e0e4736",
                                "feature",
                                feature,
                                "input",
                                "how long do I have to return a jacket?",
                                "model",
                                "gpt-4o",
                                "promptVersion",
                                "v7",
                                "output",
                                "You can return it within 60 days of purchase."))))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/decisions")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));
        JsonPath sampled =
                awaitDecision(decisionId, view -> view.getList("evals").size() == 2);
        assertThat(sampled.getList("evals.trigger", String.class)).containsOnly("SAMPLED");

        String email = "jane.doe@example.com";
        String feedbackId = given().auth()
                .oauth2(stack.projectA().publicKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisionId",
                        decisionId,
                        "signal",
                        "edited",
                        "correction",
                        "You can return it within 30 days of purchase.",
                        "feedbackText",
                        "wrong policy, write to " + email))
                .post(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback")
                .then()
                .statusCode(202)
                .extract()
                .path("feedbackId");

        // the decision view: the feedback (redacted) and the FEEDBACK re-evaluation beside the sampled one
        JsonPath view = awaitDecision(
                decisionId,
                v -> v.getList("feedback").size() == 1
                        && v.getList("evals.findAll { it.trigger == 'FEEDBACK' }")
                                        .size()
                                == 3);
        assertThat(view.getString("feedback[0].feedbackId")).isEqualTo(feedbackId);
        assertThat(view.getString("feedback[0].signal")).isEqualTo("EDITED");
        assertThat(view.getString("feedback[0].feedbackText"))
                .doesNotContain(email)
                .contains("[EMAIL]");
        assertThat(view.getBoolean("evals.find { it.trigger == 'FEEDBACK' && it.evaluator == 'contains_all' }.passed"))
                .isFalse();
        assertThat(view.getFloat("evals.find { it.trigger == 'FEEDBACK' && it.evaluator == 'reference_match' }.score"))
                .as("8 of 9 words shared each way")
                .isCloseTo(8f / 9, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(view.getBoolean("evals.find { it.trigger == 'SAMPLED' && it.evaluator == 'refusal' }.passed"))
                .isTrue();

        // read scope sees the feedback at its source; the browser-safe key reads nothing
        given().auth()
                .oauth2(stack.projectA().secretKey())
                .queryParam("decisionId", decisionId)
                .get(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback")
                .then()
                .statusCode(200)
                .body("feedback[0].feedbackId", equalTo(feedbackId));
        given().auth()
                .oauth2(stack.projectA().publicKey())
                .queryParam("decisionId", decisionId)
                .get(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(stack.projectB().secretKey())
                .queryParam("decisionId", decisionId)
                .get(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback")
                .then()
                .statusCode(200)
                .body("feedback.size()", equalTo(0));

        // metrics: one decision, corrected; the sampled refusal check passed it, so the human disagreed with it
        String to = Instant.now()
                .plus(1, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toString();
        assertThat(metric("correction_rate", feature, "feature", from, to, null))
                .isEqualTo(1.0);
        assertThat(metric("judge_disagreement_rate", feature, "feature,evaluator", from, to, "refusal"))
                .isEqualTo(1.0);
        assertThat(metric("judge_disagreement_rate", feature, "feature,evaluator", from, to, "contains_all"))
                .as("contains_all failed the decision too: no disagreement")
                .isEqualTo(0.0);

        // the regression case, exported for the app's CI, and a run of a candidate that gets it right
        String export = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> given().auth()
                                .oauth2(stack.projectA().secretKey())
                                .get(stack.url(LoupeStack.EVALS) + "/v1/datasets/" + feature + "/export")
                                .asString(),
                        body -> body.contains(decisionId));
        JsonPath exported = JsonPath.from(export.strip());
        assertThat(exported.getString("expectedOutput")).isEqualTo("You can return it within 30 days of purchase.");
        assertThat(exported.getString("originalOutput")).isEqualTo("You can return it within 60 days of purchase.");
        assertThat(exported.getString("feedbackId")).isEqualTo(feedbackId);
        assertThat(exported.getString("context.promptVersion")).isEqualTo("v7");
        given().auth()
                .oauth2(stack.projectA().secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "label",
                        "prompt v8",
                        "outputs",
                        List.of(Map.of(
                                "caseId",
                                exported.getString("caseId"),
                                "output",
                                "You can return it within 30 days of the purchase."))))
                .post(stack.url(LoupeStack.EVALS) + "/v1/datasets/" + feature + "/runs")
                .then()
                .statusCode(201)
                .body("scored", equalTo(1))
                .body("passed", equalTo(1));
        System.out.printf(
                "FeedbackLoopIT: decision %s corrected by feedback %s; %d FEEDBACK results, case %s%n",
                decisionId,
                feedbackId,
                view.getList("evals.findAll { it.trigger == 'FEEDBACK' }").size(),
                exported.getString("caseId"));
    }

    private JsonPath awaitDecision(String decisionId, java.util.function.Predicate<JsonPath> ready) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            var response = given().auth()
                                    .oauth2(stack.projectA().secretKey())
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/decisions/" + decisionId);
                            return response.statusCode() == 200 ? response.jsonPath() : null;
                        },
                        view -> view != null && ready.test(view));
    }

    private double metric(String metric, String feature, String groupBy, Instant from, String to, String evaluator) {
        String point = evaluator == null
                ? "series[0].points[0].value"
                : "series.find { it.group.evaluator == '" + evaluator + "' }.points[0].value";
        Number value = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> given().auth()
                                .oauth2(stack.projectA().secretKey())
                                .queryParam("from", from.toString())
                                .queryParam("to", to)
                                .queryParam("groupBy", groupBy)
                                .queryParam("feature", feature)
                                .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/metrics/" + metric)
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath()
                                .get(point),
                        v -> v != null);
        return value.doubleValue();
    }
}
