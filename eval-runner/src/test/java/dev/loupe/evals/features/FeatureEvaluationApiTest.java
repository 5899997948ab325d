package dev.loupe.evals.features;

import static dev.loupe.evals.support.EvalTests.adminKey;
import static dev.loupe.evals.support.EvalTests.configure;
import static dev.loupe.evals.support.EvalTests.decision;
import static dev.loupe.evals.support.EvalTests.otherAdminKey;
import static dev.loupe.evals.support.EvalTests.readKey;
import static dev.loupe.evals.support.EvalTests.send;
import static dev.loupe.evals.support.EvalTests.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class FeatureEvaluationApiTest {
    private static final String JUDGE = "{\"name\": \"llm_judge\", \"config\": {\"rubric\": \"cites the policy\"}}";

    @Test
    void aFeatureWithoutSettingsShowsTheDefaults() {
        var view = given().header("Authorization", "Bearer " + readKey())
                .get("/v1/features/{f}/evaluation", unique("fresh"))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(view.getString("source")).isEqualTo("default");
        assertThat(view.getDouble("samplingRate")).isEqualTo(0.1);
        assertThat(view.getInt("maxPerMinute")).isEqualTo(600);
        assertThat(view.getBoolean("includeErrors")).isTrue();
        assertThat(view.getList("evaluators.name")).containsExactly("json_valid", "pii_leak", "refusal");
    }

    @Test
    void settingsAreStoredWithEveryDefaultFilledAndCanBeReset() {
        String feature = unique("support-rag");
        var set = put(feature, "{\"samplingRate\": 0.25, \"evaluators\": [" + JUDGE + "]}")
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(set.getString("source")).isEqualTo("feature");
        assertThat(set.getDouble("samplingRate")).isEqualTo(0.25);
        assertThat(set.getInt("maxPerMinute"))
                .as("absent: the configured default")
                .isEqualTo(600);
        assertThat(set.getDouble("evaluators[0].threshold"))
                .as("llm_judge's default threshold")
                .isEqualTo(0.5);
        assertThat(set.getString("updatedAt")).isNotNull();

        var read = given().header("Authorization", "Bearer " + readKey())
                .get("/v1/features/{f}/evaluation", feature)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(read.getDouble("samplingRate")).isEqualTo(0.25);
        assertThat(read.getString("evaluators[0].config.rubric")).isEqualTo("cites the policy");

        given().header("Authorization", "Bearer " + otherAdminKey())
                .get("/v1/features/{f}/evaluation", feature)
                .then()
                .statusCode(200)
                .body("source", equalTo("default"));

        given().header("Authorization", "Bearer " + adminKey())
                .delete("/v1/features/{f}/evaluation", feature)
                .then()
                .statusCode(200)
                .body("source", equalTo("default"));
    }

    @Test
    void badSettingsAreRefusedNamingEachField() {
        String feature = unique("bad");
        problem(put(feature, "{\"samplingRate\": 1.5, \"evaluators\": []}"), "samplingRate");
        problem(put(feature, "{\"maxPerMinute\": 0, \"evaluators\": []}"), "maxPerMinute");
        problem(put(feature, "{\"evaluators\": [{\"name\": \"vibes\"}]}"), "evaluators[0].name")
                .body("detail", org.hamcrest.Matchers.containsString("unknown evaluator 'vibes'"));
        problem(put(feature, "{\"evaluators\": [{\"name\": \"llm_judge\"}]}"), "evaluators[0].config.rubric");
        problem(
                put(
                        feature,
                        "{\"evaluators\": [{\"name\": \"llm_judge\", \"config\": {\"rubric\": \"x\", \"temp\": 1}}]}"),
                "evaluators[0].config.temp");
        problem(put(feature, "{\"evaluators\": [" + JUDGE + ", " + JUDGE + "]}"), "evaluators[1].name");
        problem(
                put(
                        feature,
                        "{\"evaluators\": [{\"name\": \"llm_judge\", \"threshold\": 2, "
                                + "\"config\": {\"rubric\": \"x\"}}]}"),
                "evaluators[0].threshold");
        problem(put(feature, "{\"evaluators\": [{\"name\": \"llm_judge\", \"config\": [1]}]}"), "evaluators[0].config");
        problem(put(feature, "{\"samplingRate\": \"often\"}"), "samplingRate");
        problem(
                put(
                        feature,
                        "{\"evaluators\": [{\"name\": \"regex_absent\", \"config\": {\"pattern\": \"(as an ai\"}}]}"),
                "evaluators[0].config.pattern");
        problem(
                put(
                        feature,
                        "{\"evaluators\": [{\"name\": \"json_schema\", \"config\": {\"schema\": {\"type\": 5}}}]}"),
                "evaluators[0].config.schema");
        problem(
                put(feature, "{\"evaluators\": [{\"name\": \"contains_all\", \"config\": {\"values\": []}}]}"),
                "evaluators[0].config.values");
        var many = put(feature, "{\"samplingRate\": -1, \"evaluators\": [{\"name\": \"nope\"}]}")
                .statusCode(400)
                .extract()
                .jsonPath();
        assertThat(many.getList("errors.field")).containsExactly("samplingRate", "evaluators[0].name");

        given().header("Authorization", "Bearer " + readKey())
                .get("/v1/features/{f}/evaluation", feature)
                .then()
                .statusCode(200)
                .body("source", equalTo("default"));
    }

    @Test
    void onlyAdminKeysChangeSettings() {
        given().header("Authorization", "Bearer " + readKey())
                .contentType("application/json")
                .body("{\"evaluators\": []}")
                .put("/v1/features/{f}/evaluation", "x")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().contentType("application/json")
                .body("{\"evaluators\": []}")
                .put("/v1/features/{f}/evaluation", "x")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void theCatalogueListsEveryEvaluatorWithItsConfigSchema() {
        var list = given().header("Authorization", "Bearer " + readKey())
                .get("/v1/evaluators")
                .then()
                .statusCode(200)
                .body(
                        "evaluators.name",
                        hasItems(
                                "json_valid",
                                "json_schema",
                                "regex_match",
                                "regex_absent",
                                "contains_all",
                                "contains_none",
                                "length_between",
                                "exact_match",
                                "normalized_match",
                                "pii_leak",
                                "refusal",
                                "grounded_in_retrieval",
                                "latency_budget",
                                "cost_budget",
                                "llm_judge"))
                .extract()
                .jsonPath();
        List<Map<String, Object>> evaluators = list.getList("evaluators");
        assertThat(evaluators).allSatisfy(e -> {
            assertThat(e.get("version")).isNotNull();
            assertThat(e.get("configSchema")).isInstanceOf(Map.class);
            assertThat(((Map<?, ?>) e.get("configSchema")).get("type")).isEqualTo("object");
        });
        Map<String, Object> judge = evaluators.stream()
                .filter(e -> e.get("name").equals("llm_judge"))
                .findFirst()
                .orElseThrow();
        assertThat(judge.get("deterministic")).isEqualTo(false);
        assertThat(((Map<?, ?>) judge.get("configSchema")).get("required")).isEqualTo(List.of("rubric"));
    }

    /**
     * Issue 26's new-user story: only json_valid, rate 1.0, 30 free-text decisions. Every one is sampled and none
     * judged; the feature's evaluation answer says so, with json_valid's reason, and a later PUT warns.
     */
    @Test
    void anEvaluatorThatNeverAppliesSaysWhy() {
        String feature = unique("silent");
        configure(feature, "{\"samplingRate\": 1.0, \"evaluators\": [{\"name\": \"json_valid\"}]}");
        List<DecisionRecord> decisions = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            decisions.add(decision(feature, unique("free-text-" + i), "Refunds take five days."));
        }
        send(decisions);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var activity = evaluation(feature).getMap("activity");
            assertThat(activity).containsEntry("received", 30).containsEntry("sampled", 30);
        });
        var view = evaluation(feature);
        assertThat(view.getInt("activity.judged")).isZero();
        assertThat(view.getString("activity.window")).isEqualTo("PT1H");
        assertThat(view.getString("activity.evaluators[0].evaluator")).isEqualTo("json_valid");
        assertThat(view.getInt("activity.evaluators[0].judged")).isZero();
        assertThat(view.getInt("activity.evaluators[0].notApplicable")).isEqualTo(30);
        assertThat(view.getString("activity.evaluators[0].reasons[0].reason")).contains("structured output");
        assertThat(view.getInt("activity.evaluators[0].reasons[0].count")).isEqualTo(30);
        assertThat(view.getList("activity.notices", String.class))
                .singleElement()
                .asString()
                .startsWith("json_valid judged none of the 30 decisions sampled in the last hour")
                .contains("\"always\": true");
        assertThat(view.getList("warnings"))
                .as("GET answers activity, PUT answers warnings")
                .isNull();

        var again = put(feature, "{\"samplingRate\": 1.0, \"evaluators\": [{\"name\": \"json_valid\"}]}")
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(again.getList("warnings", String.class))
                .singleElement()
                .asString()
                .startsWith("json_valid would not apply to any of the 30 decisions feature '" + feature + "' sent")
                .contains("structured output");
        assertThat(again.getMap("activity")).isNull();

        var fixed = put(
                        feature,
                        "{\"samplingRate\": 1.0, \"evaluators\": [{\"name\": \"json_valid\", \"config\": "
                                + "{\"always\": true}}, {\"name\": \"refusal\"}]}")
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(fixed.getList("warnings")).as("both now apply to free text").isEmpty();
    }

    /** Judged and skipped decisions of one feature are told apart, per evaluator. */
    @Test
    void activityCountsJudgedAndNotApplicablePerEvaluator() {
        String feature = unique("mixed");
        configure(
                feature,
                "{\"samplingRate\": 1.0, \"evaluators\": [{\"name\": \"json_valid\"}, {\"name\": \"refusal\"}]}");
        DecisionRecord structured = decision(feature, unique("structured"), "{\"answer\": \"five days\"}");
        structured = new DecisionRecord(
                structured.schemaVersion(),
                structured.projectId(),
                structured.decisionId(),
                structured.traceId(),
                structured.feature(),
                structured.input(),
                structured.inputHash(),
                structured.retrievalResults(),
                structured.promptTemplate(),
                structured.promptVersion(),
                structured.model(),
                structured.output(),
                structured.outputHash(),
                EventJson.mapper().createObjectNode().put("answer", "five days"),
                null,
                structured.redactions(),
                structured.status(),
                structured.errorType(),
                structured.costUsd(),
                structured.latencyMs(),
                structured.occurredAt(),
                structured.metadata());
        send(List.of(
                structured,
                decision(feature, unique("free-1"), "Refunds take five days."),
                decision(feature, unique("free-2"), "Refunds take a week.")));

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(evaluation(feature).getInt("activity.judged"))
                        .isEqualTo(3));
        var view = evaluation(feature);
        assertThat(view.getInt("activity.sampled")).isEqualTo(3);
        assertThat(view.getList("activity.evaluators.evaluator")).containsExactly("json_valid", "refusal");
        assertThat(view.getInt("activity.evaluators[0].judged")).isEqualTo(1);
        assertThat(view.getInt("activity.evaluators[0].notApplicable")).isEqualTo(2);
        assertThat(view.getInt("activity.evaluators[1].judged")).isEqualTo(3);
        assertThat(view.getInt("activity.evaluators[1].notApplicable")).isZero();
        assertThat(view.getList("activity.notices"))
                .as("json_valid judged one, so nothing to explain")
                .isEmpty();
    }

    private static io.restassured.path.json.JsonPath evaluation(String feature) {
        return given().header("Authorization", "Bearer " + readKey())
                .get("/v1/features/{f}/evaluation", feature)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static ValidatableResponse put(String feature, String json) {
        return given().header("Authorization", "Bearer " + adminKey())
                .contentType("application/json")
                .body(json)
                .put("/v1/features/{f}/evaluation", feature)
                .then();
    }

    private static ValidatableResponse problem(ValidatableResponse response, String field) {
        return response.log()
                .ifValidationFails()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo(field));
    }
}
