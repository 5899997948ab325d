package dev.loupe.evals;

import static dev.loupe.evals.support.EvalTests.adminKey;
import static dev.loupe.evals.support.EvalTests.otherAdminKey;
import static dev.loupe.evals.support.EvalTests.project;
import static dev.loupe.evals.support.EvalTests.published;
import static dev.loupe.evals.support.EvalTests.readKey;
import static dev.loupe.evals.support.EvalTests.send;
import static dev.loupe.evals.support.EvalTests.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.support.EvalTests;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The packaged eval-runner (the fast jar; the native executable with {@code -Dnative}) started once with a real
 * broker, its own database and a local chat-completions judge: every endpoint family, the Kafka round trip from
 * decision and feedback to published results and regression cases, refusals and problem+json answers. It cannot
 * reach the application's beans: it talks HTTP, Kafka and SQL only.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class EvalRunnerIT {
    private static final String RUBRIC = "answers only from the refund policy";

    @Test
    void decisionsAreScoredByTheRulesAndTheJudgeAndFeedbackGrowsADatasetThatRunsAreScoredAgainst() throws Exception {
        String feature = unique("it-support");
        given().header("Authorization", "Bearer " + adminKey())
                .contentType("application/json")
                .body("""
                        {"samplingRate": 1.0, "evaluators": [
                          {"name": "regex_absent", "config": {"pattern": "(?i)as an ai"}},
                          {"name": "json_schema", "config": {"schema": {"type": "object", "required": ["answer"]}}},
                          {"name": "llm_judge", "config": {"rubric": "%s"}}]}""".formatted(RUBRIC))
                .put("/v1/features/{f}/evaluation", feature)
                .then()
                .statusCode(200)
                .body("source", equalTo("feature"))
                .body("evaluators[2].threshold", equalTo(0.5f));
        given().header("Authorization", "Bearer " + readKey())
                .get("/v1/features/{f}/evaluation", feature)
                .then()
                .statusCode(200)
                .body("samplingRate", equalTo(1.0f))
                .body("evaluators.name", hasItems("regex_absent", "json_schema", "llm_judge"));

        // Kafka in: one decision of the feature
        DecisionRecord decision =
                EvalTests.decision(feature, unique("d-it"), "{\"answer\": \"Refunds take 30 days [doc-7].\"}");
        send(List.of(decision));

        // Kafka out: the rule-based result at once, the judge's once the worker has asked the local judge
        EvalResult regex = published(
                        decision.decisionId(), 1, r -> r.evaluator().equals("regex_absent"))
                .get(0);
        assertThat(regex.passed()).isTrue();
        assertThat(regex.trigger()).isEqualTo(EvalTrigger.SAMPLED);
        assertThat(regex.dimensions()).containsEntry("tier", "pro");
        EvalResult schema = published(
                        decision.decisionId(), 1, r -> r.evaluator().equals("json_schema"))
                .get(0);
        assertThat(schema.passed()).as(schema.reason()).isTrue();
        EvalResult judged = published(
                        decision.decisionId(), 1, r -> r.evaluator().equals("llm_judge"))
                .get(0);
        assertThat(judged.score()).isEqualTo(1.0);
        assertThat(FakeJudgeResource.server().received()).anySatisfy(request -> {
            assertThat(request.authorization()).isEqualTo("Bearer " + FakeJudgeResource.API_KEY);
            assertThat(request.body().encode()).contains(RUBRIC);
        });
        // stored with its verdict: every decision of a feature sampled at 1.0 is chosen by rate
        assertThat(sql(
                        "select sampling from evals.decisions where project_id = ? and decision_id = ?",
                        project(),
                        decision.decisionId()))
                .isEqualTo("rate");

        // evaluations: run now, against a reference
        JsonPath manual = given().header("Authorization", "Bearer " + adminKey())
                .contentType("application/json")
                .body("{\"decisionId\": \"" + decision.decisionId() + "\", \"reference\": \"Refunds take 30 days.\"}")
                .post("/v1/evaluations")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(manual.getList("results.evaluator")).contains("regex_absent", "llm_judge");
        assertThat(manual.getList("results.trigger")).containsOnly("MANUAL");
        assertThat(manual.getList("pending")).isEmpty();

        // Kafka in: a correction of the decision becomes a regression case of the feature's dataset
        String correction = "{\"answer\": \"Refunds are processed within two weeks.\"}";
        FeedbackRecord feedback = new FeedbackRecord(
                SchemaVersions.CURRENT,
                project(),
                unique("f-it"),
                decision.decisionId(),
                FeedbackSignal.EDITED,
                correction,
                null,
                null,
                Instant.now());
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(
                            new ProducerRecord<>(Topics.FEEDBACK, decision.decisionId(), EventJson.encode(feedback)))
                    .awaitCompletion(Duration.ofSeconds(30));
        }
        // the correction re-evaluates the decision, with the correction as the reference
        EvalResult reevaluated = published(
                        decision.decisionId(),
                        1,
                        r -> r.trigger() == EvalTrigger.FEEDBACK
                                && r.evaluator().equals("reference_match"))
                .get(0);
        assertThat(reevaluated.passed()).isFalse();

        JsonPath datasets = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> given().header("Authorization", "Bearer " + readKey())
                                .get("/v1/datasets")
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath(),
                        list -> list.getList("datasets.name").contains(feature));
        assertThat(datasets.getInt("datasets.find { it.name == '" + feature + "' }.cases"))
                .isEqualTo(1);
        JsonPath cases = given().header("Authorization", "Bearer " + readKey())
                .get("/v1/datasets/{name}/cases", feature)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(cases.getString("cases[0].expectedOutput")).isEqualTo(correction);
        assertThat(cases.getString("cases[0].feedbackId")).isEqualTo(feedback.feedbackId());
        String caseId = cases.getString("cases[0].caseId");
        String export = given().header("Authorization", "Bearer " + readKey())
                .get("/v1/datasets/{name}/export", feature)
                .then()
                .statusCode(200)
                .contentType(containsString("application/x-ndjson"))
                .extract()
                .asString();
        assertThat(export.lines()).hasSize(1);
        var exported = EventJson.mapper().readTree(export.lines().findFirst().orElseThrow());
        assertThat(exported.get("caseId").asText()).isEqualTo(caseId);
        assertThat(exported.get("expectedOutput").asText()).isEqualTo(correction);

        // runs: a candidate that gives the corrected answer passes the case; an unknown case is named
        problem(
                        given().header("Authorization", "Bearer " + adminKey())
                                .contentType("application/json")
                                .body(EventJson.mapper()
                                        .writeValueAsString(Map.of(
                                                "outputs", List.of(Map.of("caseId", "no-such-case", "output", "x")))))
                                .post("/v1/datasets/{name}/runs", feature)
                                .then(),
                        400)
                .body("field", equalTo("outputs[0].caseId"));
        JsonPath run = given().header("Authorization", "Bearer " + adminKey())
                .contentType("application/json")
                .body(EventJson.mapper()
                        .writeValueAsString(Map.of(
                                "label",
                                "candidate",
                                "outputs",
                                List.of(Map.of("caseId", caseId, "output", correction)))))
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        assertThat(run.getInt("cases")).isEqualTo(1);
        assertThat(run.getFloat("passRate")).isEqualTo(1.0f);
        assertThat(run.getList("results[0].evaluations.evaluator")).contains("reference_match");
        String runId = run.getString("runId");
        given().header("Authorization", "Bearer " + readKey())
                .get("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(200)
                .body("runs.runId", hasItems(runId));
        given().header("Authorization", "Bearer " + readKey())
                .get("/v1/datasets/{name}/runs/{run}", feature, runId)
                .then()
                .statusCode(200)
                .body("label", equalTo("candidate"));
    }

    @Test
    void theCatalogueHealthMetricsAndOpenApiAreServed() {
        given().header("Authorization", "Bearer " + readKey())
                .get("/v1/evaluators")
                .then()
                .statusCode(200)
                .body("evaluators.name", hasItems("json_valid", "json_schema", "llm_judge", "reference_match"))
                .body("evaluators.find { it.name == 'llm_judge' }.configSchema.required", equalTo(List.of("rubric")));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("loupe_evals_decisions_received_total"));
        given().get("/q/openapi")
                .then()
                .statusCode(200)
                .body(containsString("/v1/datasets/{name}/runs"))
                .body(containsString("/v1/features/{feature}/evaluation"));
    }

    @Test
    void requestsWithoutAKeyOrWithoutTheScopeAreRefusedAndOtherProjectsSeeNothing() {
        problem(given().get("/v1/evaluators").then(), 401);
        problem(
                given().header("Authorization", "Bearer lk_0000000000000000_" + "0".repeat(48))
                        .get("/v1/datasets")
                        .then(),
                401);
        // a read key cannot change settings nor ask for an evaluation
        problem(
                given().header("Authorization", "Bearer " + readKey())
                        .contentType("application/json")
                        .body("{\"evaluators\": []}")
                        .put("/v1/features/{f}/evaluation", "any")
                        .then(),
                403);
        problem(
                given().header("Authorization", "Bearer " + readKey())
                        .contentType("application/json")
                        .body("{\"decisionId\": \"d\"}")
                        .post("/v1/evaluations")
                        .then(),
                403);
        // the browser-safe feedback key reads nothing
        problem(
                given().header("Authorization", "Bearer " + publicKey())
                        .get("/v1/datasets")
                        .then(),
                403);

        // another project's admin does not find this project's decision
        DecisionRecord decision = EvalTests.decision(unique("it-tenancy"), unique("d-it"), "Refunds take 30 days.");
        send(List.of(decision));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> sql(
                                "select decision_id from evals.decisions where project_id = ? and decision_id = ?",
                                project(),
                                decision.decisionId())
                        != null);
        problem(
                given().header("Authorization", "Bearer " + otherAdminKey())
                        .contentType("application/json")
                        .body("{\"decisionId\": \"" + decision.decisionId() + "\"}")
                        .post("/v1/evaluations")
                        .then(),
                404);
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        String feature = unique("it-bad");
        problem(putSettings(feature, "{\"samplingRate\": 1.5, \"evaluators\": []}"), 400)
                .body("field", equalTo("samplingRate"));
        problem(
                        putSettings(
                                feature,
                                "{\"evaluators\": [{\"name\": \"regex_absent\", \"config\": {\"pattern\": \"(as an ai\"}}]}"),
                        400)
                .body("field", equalTo("evaluators[0].config.pattern"));
        problem(putSettings(feature, "{\"samplingRate\": \"often\"}"), 400).body("field", equalTo("samplingRate"));
        problem(
                        given().header("Authorization", "Bearer " + adminKey())
                                .contentType("application/json")
                                .body("{}")
                                .post("/v1/evaluations")
                                .then(),
                        400)
                .body("field", equalTo("decisionId"));
        // a body cut short: the JSON path where it broke
        problem(putSettings(feature, "{\"samplingRate\": 0.5, \"evaluators\": ["), 400)
                .body("field", equalTo("evaluators"));
        problem(
                        given().header("Authorization", "Bearer " + readKey())
                                .queryParam("limit", "many")
                                .get("/v1/datasets/{name}/cases", feature)
                                .then(),
                        400)
                .body("field", equalTo("limit"));
    }

    @Test
    void anUnreadableDecisionIsDeadLetteredAndTheNextIsStored() {
        String key = unique("poison");
        DecisionRecord next = EvalTests.decision(unique("it-after-poison"), unique("d-it"), "Refunds take 30 days.");
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(
                            new ProducerRecord<>(Topics.DECISIONS, key, "{\"schemaVersion\": 99}"),
                            new ProducerRecord<>(Topics.DECISIONS, next.decisionId(), EventJson.encode(next)))
                    .awaitCompletion(Duration.ofSeconds(30));
        }
        var dead = TopicReader.awaitKey(Topics.deadLetter(Topics.DECISIONS), key, Duration.ofSeconds(20));
        assertThat(dead.value()).isEqualTo("{\"schemaVersion\": 99}");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> sql(
                                "select decision_id from evals.decisions where project_id = ? and decision_id = ?",
                                project(),
                                next.decisionId())
                        != null);
    }

    private static ValidatableResponse putSettings(String feature, String json) {
        return given().header("Authorization", "Bearer " + adminKey())
                .contentType("application/json")
                .body(json)
                .put("/v1/features/{f}/evaluation", feature)
                .then();
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status) {
        return response.log()
                .ifValidationFails()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status));
    }

    private static String publicKey() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-a.public-key", String.class);
    }

    /** The first column of the first row, or null: plain JDBC on the database the packaged service uses. */
    private static String sql(String query, String... args) throws SQLException {
        var config = ConfigProvider.getConfig();
        Properties credentials = new Properties();
        credentials.setProperty("user", config.getValue("quarkus.datasource.username", String.class));
        credentials.setProperty(
                "password",
                config.getOptionalValue("quarkus.datasource.password", String.class)
                        .orElse(""));
        try (Connection c = new org.postgresql.Driver()
                        .connect(config.getValue("quarkus.datasource.jdbc.url", String.class), credentials);
                PreparedStatement s = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }
}
