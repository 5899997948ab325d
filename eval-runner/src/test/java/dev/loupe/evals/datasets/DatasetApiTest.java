package dev.loupe.evals.datasets;

import static dev.loupe.evals.support.EvalTests.adminKey;
import static dev.loupe.evals.support.EvalTests.configure;
import static dev.loupe.evals.support.EvalTests.count;
import static dev.loupe.evals.support.EvalTests.otherAdminKey;
import static dev.loupe.evals.support.EvalTests.project;
import static dev.loupe.evals.support.EvalTests.readKey;
import static dev.loupe.evals.support.EvalTests.send;
import static dev.loupe.evals.support.EvalTests.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.feedback.FeedbackLoop;
import dev.loupe.evals.support.EvalTests;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** {@code /v1/datasets}: cases grown from corrections, their export, and runs scored against them. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class DatasetApiTest {
    private static final String EVALUATORS = """
            {"samplingRate": 0, "evaluators": [{"name": "refusal"}, {"name": "normalized_match"}]}""";

    @Inject
    Pool pool;

    /** Three corrected decisions of a new feature; returns the corrections by input hash. */
    private Map<String, String> dataset(String feature) {
        configure(feature, EVALUATORS);
        Map<String, String> corrections = new LinkedHashMap<>();
        List<DecisionRecord> decisions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            DecisionRecord d = withInputHash(
                    EvalTests.decision(feature, unique("d"), "Refunds take " + (60 + i) + " days."),
                    "h-" + i + "-" + feature);
            decisions.add(d);
            corrections.put(d.inputHash(), "Refunds take " + (30 + i) + " days.");
        }
        send(decisions);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> count(
                                pool,
                                "select count(*) from evals.decisions where project_id = $1 and feature = $2",
                                project(),
                                feature)
                        == 3);
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            for (DecisionRecord d : decisions) {
                FeedbackRecord f = new FeedbackRecord(
                        SchemaVersions.CURRENT,
                        d.projectId(),
                        unique("f"),
                        d.decisionId(),
                        FeedbackSignal.EDITED,
                        corrections.get(d.inputHash()),
                        null,
                        null,
                        Instant.now());
                kafka.produceStrings()
                        .fromRecords(new ProducerRecord<>(
                                dev.loupe.contracts.events.Topics.FEEDBACK, d.decisionId(), EventJson.encode(f)))
                        .awaitCompletion(Duration.ofSeconds(30));
            }
        }
        await().atMost(Duration.ofSeconds(15))
                .until(() -> count(
                                pool,
                                "select count(*) from evals.regression_cases where project_id = $1 and dataset = $2",
                                project(),
                                feature)
                        == 3);
        return corrections;
    }

    @Test
    void datasetsAreListedPagedAndExportedAsJsonLines() {
        String feature = unique("ds-export");
        Map<String, String> corrections = dataset(feature);

        given().auth()
                .oauth2(readKey())
                .get("/v1/datasets")
                .then()
                .statusCode(200)
                .body("datasets.find { it.name == '" + feature + "' }.cases", equalTo(3));

        JsonPath first = given().auth()
                .oauth2(readKey())
                .queryParam("limit", 2)
                .get("/v1/datasets/{name}/cases", feature)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(first.getList("cases")).hasSize(2);
        String next = first.getString("next");
        assertThat(next).isEqualTo(first.getString("cases[1].caseId"));
        JsonPath second = given().auth()
                .oauth2(readKey())
                .queryParam("limit", 2)
                .queryParam("after", next)
                .get("/v1/datasets/{name}/cases", feature)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(second.getList("cases")).hasSize(1);
        assertThat(second.getString("next")).isNull();

        Response export = given().auth().oauth2(readKey()).get("/v1/datasets/{name}/export", feature);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.contentType()).startsWith("application/x-ndjson");
        assertThat(export.header("Content-Disposition")).isEqualTo("attachment; filename=\"" + feature + ".jsonl\"");
        String[] lines = export.asString().split("\n");
        assertThat(lines).hasSize(3);
        Map<String, String> exported = new LinkedHashMap<>();
        for (String line : lines) {
            JsonNode c = read(line);
            exported.put(c.get("inputHash").asText(), c.get("expectedOutput").asText());
            assertThat(c.get("caseId").asText())
                    .isEqualTo(FeedbackLoop.caseId(
                            project(), feature, c.get("inputHash").asText()));
            assertThat(c.get("originalOutput").asText()).startsWith("Refunds take 6");
            assertThat(c.at("/context/model").asText()).isEqualTo("gpt-4o");
            assertThat(c.get("feedbackId").asText()).isNotBlank();
        }
        assertThat(exported).isEqualTo(corrections);
    }

    @Test
    void aRunScoresCandidatesAgainstTheExpectedOutputsAndIsComparedWithTheRunBefore() {
        String feature = unique("ds-run");
        Map<String, String> corrections = dataset(feature);
        List<String> hashes = List.copyOf(corrections.keySet());
        String good = FeedbackLoop.caseId(project(), feature, hashes.get(0));
        String bad = FeedbackLoop.caseId(project(), feature, hashes.get(1));
        String notGiven = FeedbackLoop.caseId(project(), feature, hashes.get(2));

        JsonPath run1 = given().auth()
                .oauth2(readKey())
                .contentType("application/json")
                .body(Map.of(
                        "label",
                        "gpt-4.1 candidate",
                        "model",
                        "gpt-4.1",
                        "outputs",
                        List.of(
                                Map.of("caseId", good, "output", corrections.get(hashes.get(0))),
                                Map.of("caseId", bad, "output", "I cannot help with refunds."))))
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        assertThat(run1.getInt("cases")).isEqualTo(3);
        assertThat(run1.getInt("scored")).isEqualTo(2);
        assertThat(run1.getInt("passed")).isEqualTo(1);
        assertThat(run1.getDouble("passRate")).isEqualTo(0.5);
        assertThat(run1.getList("missing", String.class)).containsExactly(notGiven);
        assertThat(run1.getBoolean("results.find { it.caseId == '" + good + "' }.passed"))
                .isTrue();
        assertThat(run1.getList(
                        "results.find { it.caseId == '" + bad + "' }.evaluations.findAll { !it.passed }.evaluator",
                        String.class))
                .containsExactlyInAnyOrder("refusal", "normalized_match", "reference_match");
        assertThat(run1.getString("comparison")).isNull();

        // the next candidate fixes the bad case and breaks the good one
        JsonPath run2 = given().auth()
                .oauth2(adminKey())
                .contentType("application/json")
                .body(Map.of(
                        "label",
                        "prompt v4",
                        "outputs",
                        List.of(
                                Map.of("caseId", good, "output", "Refunds take 45 days, sometimes never."),
                                Map.of("caseId", bad, "output", corrections.get(hashes.get(1))))))
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        assertThat(run2.getString("comparison.previousRunId")).isEqualTo(run1.getString("runId"));
        assertThat(run2.getDouble("comparison.previousPassRate")).isEqualTo(0.5);
        assertThat(run2.getList("comparison.newlyFailing", String.class)).containsExactly(good);
        assertThat(run2.getList("comparison.newlyPassing", String.class)).containsExactly(bad);

        given().auth()
                .oauth2(readKey())
                .get("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(200)
                .body("runs.runId", org.hamcrest.Matchers.contains(run2.getString("runId"), run1.getString("runId")));
        given().auth()
                .oauth2(readKey())
                .get("/v1/datasets/{name}/runs/{id}", feature, run1.getString("runId"))
                .then()
                .statusCode(200)
                .body("passRate", equalTo(0.5f))
                .body("results.caseId", hasItem(good))
                .body("model", equalTo("gpt-4.1"));
        given().auth()
                .oauth2(readKey())
                .get("/v1/datasets")
                .then()
                .statusCode(200)
                .body("datasets.find { it.name == '" + feature + "' }.lastRun.runId", equalTo(run2.getString("runId")));
    }

    @Test
    void badRunsAreRefusedNamingTheFieldAndOtherProjectsSeeNothing() {
        String feature = unique("ds-bad");
        dataset(feature);
        given().auth()
                .oauth2(adminKey())
                .contentType("application/json")
                .body(Map.of("outputs", List.of(Map.of("caseId", "no-such-case", "output", "x"))))
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("outputs[0].caseId"));
        given().auth()
                .oauth2(adminKey())
                .contentType("application/json")
                .body(Map.of("outputs", List.of()))
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("outputs"));
        given().auth()
                .oauth2(adminKey())
                .contentType("application/json")
                .body(Map.of("outputs", List.of(Map.of("caseId", "x"))))
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("outputs[0].output"));
        given().auth()
                .oauth2(adminKey())
                .contentType("application/json")
                .body("{\"outputs\": \"nope\"}")
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("outputs"));
        given().auth()
                .oauth2(adminKey())
                .contentType("application/json")
                .body("{\"outputs\": [")
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(adminKey())
                .contentType("application/json")
                .body(Map.of("label", "x".repeat(201), "outputs", List.of(Map.of("caseId", "x", "output", "y"))))
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("label"));
        assertThat(count(
                        pool,
                        "select count(*) from evals.dataset_runs where project_id = $1 and dataset = $2",
                        project(),
                        feature))
                .isZero();
        given().auth()
                .oauth2(readKey())
                .queryParam("limit", "lots")
                .get("/v1/datasets/{name}/cases", feature)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("limit"));
        given().auth()
                .oauth2(readKey())
                .queryParam("limit", 0)
                .get("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(400)
                .body("field", equalTo("limit"));
        given().auth()
                .oauth2(readKey())
                .get("/v1/datasets/{name}/runs/{id}", feature, "no-such-run")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");

        given().auth()
                .oauth2(adminKey())
                .get("/v1/datasets/{name}/cases", "no-such-dataset")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(otherAdminKey())
                .get("/v1/datasets/{name}/cases", feature)
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(otherAdminKey())
                .get("/v1/datasets/{name}/export", feature)
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(otherAdminKey())
                .get("/v1/datasets")
                .then()
                .statusCode(200)
                .body("datasets.name", org.hamcrest.Matchers.not(hasItem(feature)));
        given().auth()
                .oauth2(otherAdminKey())
                .contentType("application/json")
                .body(Map.of("outputs", List.of(Map.of("caseId", "x", "output", "y"))))
                .post("/v1/datasets/{name}/runs", feature)
                .then()
                .statusCode(404);
        String publicKey = ConfigProvider.getConfig().getValue("loupe.test.project-a.public-key", String.class);
        given().auth().oauth2(publicKey).get("/v1/datasets").then().statusCode(403);
        given().auth()
                .oauth2(publicKey)
                .get("/v1/datasets/{name}/export", feature)
                .then()
                .statusCode(403);
        given().get("/v1/datasets").then().statusCode(401);
    }

    private static DecisionRecord withInputHash(DecisionRecord d, String inputHash) {
        return new DecisionRecord(
                d.schemaVersion(),
                d.projectId(),
                d.decisionId(),
                d.traceId(),
                d.feature(),
                d.input(),
                inputHash,
                d.retrievalResults(),
                d.promptTemplate(),
                d.promptVersion(),
                d.model(),
                d.output(),
                d.outputHash(),
                d.parsedOutput(),
                d.parseError(),
                d.redactions(),
                d.status(),
                d.errorType(),
                d.costUsd(),
                d.latencyMs(),
                d.occurredAt(),
                d.metadata());
    }

    private static JsonNode read(String line) {
        try {
            return EventJson.mapper().readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError(line, e);
        }
    }
}
