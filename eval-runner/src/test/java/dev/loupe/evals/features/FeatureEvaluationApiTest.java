package dev.loupe.evals.features;

import static dev.loupe.evals.support.EvalTests.adminKey;
import static dev.loupe.evals.support.EvalTests.otherAdminKey;
import static dev.loupe.evals.support.EvalTests.readKey;
import static dev.loupe.evals.support.EvalTests.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
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
