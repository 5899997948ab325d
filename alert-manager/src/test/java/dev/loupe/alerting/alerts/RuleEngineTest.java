package dev.loupe.alerting.alerts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.AlertState;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Windows over Kafka through the rules of a real project, the alerts API and loupe.alerts.v1. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RuleEngineTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @Inject
    Pool pool;

    @Test
    void everyProjectGetsTheShippedInventoryAndRulesAreValidated() {
        JsonPath rules = given().auth()
                .oauth2(key("secret"))
                .get("/v1/rules")
                .then()
                .statusCode(200)
                .body(
                        "rules.id",
                        hasItems(
                                "eval-pass-rate-drop",
                                "daily-spend-high",
                                "latency-shift",
                                "judge-disagreement-increase"))
                .extract()
                .jsonPath();
        assertThat(rules.getList("rules.id", String.class))
                .containsAll(List.of(
                        "daily-spend-high",
                        "tokens-per-session-anomaly",
                        "eval-pass-rate-drop",
                        "parse-failure-rate-increase",
                        "tool-error-rate-high",
                        "latency-p95-high",
                        "latency-shift",
                        "correction-rate-increase",
                        "thumbs-down-spike",
                        "judge-disagreement-increase"));
        assertThat(rules.getList("rules.owner")).doesNotContainNull();
        // the shipped rules link the runbooks the dashboard serves (loupe.alerting.runbook-base-url's default)
        assertThat(rules.getList("rules.runbookUrl", String.class))
                .allMatch(url -> url.startsWith("https://") || url.startsWith("http://localhost:8082/runbooks/"));

        var bad = given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"metric\": \"eval_pass_rate\", \"groupBy\": [\"model\"], \"severity\": \"loud\", "
                        + "\"condition\": {\"type\": \"static\", \"direction\": \"below\", \"value\": 0.8}}")
                .put("/v1/rules/no-owner")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .extract()
                .jsonPath();
        assertThat(bad.getList("errors.field")).contains("groupBy", "severity", "owner", "runbookUrl");

        given().auth()
                .oauth2(key("secret"))
                .contentType("application/json")
                .body(rule("static-x", 10, "PT0S"))
                .put("/v1/rules/static-x")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(rule("static-x", 10, "PT0S"))
                .put("/v1/rules/static-x")
                .then()
                .statusCode(201)
                .body("for", equalTo("PT0S"));
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(rule("static-x", 12, "PT0S"))
                .put("/v1/rules/static-x")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/rules/static-x")
                .then()
                .statusCode(200)
                .body("condition.value", equalTo(12.0f));
        given().auth().oauth2(otherKey()).get("/v1/rules/static-x").then().statusCode(404);
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(rule("static-x", 12, "PT0S")
                        .replace(
                                "\"groupBy\": [\"feature\"]",
                                "\"groupBy\": [\"feature\"], \"filter\": {\"feature\": null}"))
                .put("/v1/rules/static-x")
                .then()
                .statusCode(400)
                .body("field", equalTo("filter.feature"));
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(rule("static-x", 12, "PT0S"))
                .queryParam("from", "1500-01-01T00:00:00Z")
                .queryParam("to", "2026-01-01T00:00:00Z")
                .post("/v1/rules/static-x/backtest")
                .then()
                .statusCode(400)
                .body("field", equalTo("from"));
        given().auth().oauth2(key("admin")).delete("/v1/rules/static-x").then().statusCode(204);
        given().auth().oauth2(key("secret")).get("/v1/rules/static-x").then().statusCode(404);
    }

    @Test
    void aSeriesGoesPendingFiringAndResolvedOnWindowTimeAndEveryChangeIsPublished() {
        String feature = "cost-" + Long.toHexString(System.nanoTime());
        String ruleId = "cost-" + feature;
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(rule(ruleId, 10, "PT2M"))
                .put("/v1/rules/" + ruleId)
                .then()
                .statusCode(201);
        double[] values = {5, 20, 20, 20, 25, 5};
        for (int i = 0; i < values.length; i++) {
            window(feature, i, values[i]);
        }
        JsonPath alerts = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> given().auth()
                                .oauth2(key("secret"))
                                .queryParam("state", "resolved")
                                .get("/v1/alerts")
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath(),
                        a -> a.getList("alerts.ruleId").contains(ruleId));
        String fingerprint = alerts.getString("alerts.find { it.ruleId == '" + ruleId + "' }.fingerprint");

        List<AlertEvent> events =
                TopicReader.await(Topics.ALERTS, r -> fingerprint.equals(r.key()), 3, Duration.ofSeconds(20)).stream()
                        .map(r -> EventJson.decode(r.value(), AlertEvent.class))
                        .toList();
        assertThat(events)
                .extracting(AlertEvent::state)
                .containsExactly(AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED);
        AlertEvent firing = events.get(1);
        assertThat(firing.owner()).isEqualTo("team-finops");
        assertThat(firing.runbookUrl()).isEqualTo("https://runbooks.example/cost.md");
        assertThat(firing.threshold()).isEqualTo(10.0);
        assertThat(firing.value()).isEqualTo(20.0);
        assertThat(firing.startsAt())
                .as("pending since the first breaching window")
                .isEqualTo(T0.plusSeconds(120));
        assertThat(firing.summary()).isEqualTo("cost of " + feature + " is 20 (threshold 10)");
        assertThat(firing.labels())
                .containsEntry("feature", feature)
                .containsEntry("alertname", ruleId)
                .containsEntry("severity", "warning");
        assertThat(events.get(2).endsAt()).isEqualTo(T0.plusSeconds(60 * 6));
        assertThat(events.get(2).startsAt())
                .as("a resolve says when the alert started")
                .isEqualTo(T0.plusSeconds(120));

        JsonPath one = given().auth()
                .oauth2(key("secret"))
                .get("/v1/alerts/" + fingerprint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(one.getList("history.state")).containsExactly("resolved", "firing", "pending");
        given().auth()
                .oauth2(otherKey())
                .get("/v1/alerts/" + fingerprint)
                .then()
                .statusCode(404);

        // the same window again (a redelivery) changes nothing
        window(feature, 3, 20);
        window(feature, 6, 5);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count(
                                "select count(*) from alerting.metric_windows where dimensions_key = $1",
                                "feature=" + feature)
                        == 7);
        assertThat(count("select count(*) from alerting.alert_transitions where fingerprint = $1", fingerprint))
                .isEqualTo(3);

        // what would the rule have done with for PT4M? The backtest replays the stored windows
        JsonPath backtest = given().auth()
                .oauth2(key("secret"))
                .contentType("application/json")
                .body(rule(ruleId, 10, "PT4M"))
                .queryParam("from", T0.toString())
                .queryParam("to", T0.plusSeconds(3600).toString())
                .post("/v1/rules/" + ruleId + "/backtest")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(backtest.getInt("series")).isEqualTo(1);
        assertThat(backtest.getInt("fired"))
                .as("20 for 2 min, 20, 25: four minutes of breach only at 10:06")
                .isEqualTo(0);
        assertThat(backtest.getList("results[0].transitions.state")).containsExactly("pending", "resolved");
        JsonPath stored = given().auth()
                .oauth2(key("secret"))
                .queryParam("from", T0.toString())
                .queryParam("to", T0.plusSeconds(3600).toString())
                .post("/v1/rules/" + ruleId + "/backtest")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(stored.getInt("fired")).isEqualTo(1);
        assertThat(stored.getInt("resolved")).isEqualTo(1);
        given().auth()
                .oauth2(key("secret"))
                .queryParam("from", "yesterday")
                .post("/v1/rules/" + ruleId + "/backtest")
                .then()
                .statusCode(400)
                .body("field", equalTo("from"));
    }

    @Test
    void anAcknowledgedAlertSaysWhoAndThatIsPublished() {
        String feature = "ack-" + Long.toHexString(System.nanoTime());
        String ruleId = "cost-" + feature;
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(rule(ruleId, 10, "PT0S"))
                .put("/v1/rules/" + ruleId)
                .then()
                .statusCode(201);
        window(feature, 0, 50);
        String fingerprint = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> given().auth()
                                .oauth2(key("secret"))
                                .queryParam("state", "firing")
                                .get("/v1/alerts")
                                .then()
                                .extract()
                                .jsonPath()
                                .getString("alerts.find { it.ruleId == '" + ruleId + "' }.fingerprint"),
                        fp -> fp != null);

        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"by\": \"alice\"}")
                .post("/v1/alerts/" + fingerprint + "/ack")
                .then()
                .statusCode(200)
                .body("acknowledgedBy", equalTo("alice"));
        AlertEvent acknowledged = TopicReader.await(
                        Topics.ALERTS,
                        r -> fingerprint.equals(r.key())
                                && EventJson.decode(r.value(), AlertEvent.class).acknowledgedBy() != null,
                        1,
                        Duration.ofSeconds(20))
                .stream()
                .map(r -> EventJson.decode(r.value(), AlertEvent.class))
                .findFirst()
                .orElseThrow();
        assertThat(acknowledged.state()).isEqualTo(AlertState.FIRING);
        assertThat(acknowledged.acknowledgedBy()).isEqualTo("alice");
        given().auth()
                .oauth2(key("secret"))
                .post("/v1/alerts/" + fingerprint + "/ack")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(key("admin"))
                .post("/v1/alerts/0000000000000000/ack")
                .then()
                .statusCode(404);

        // deleting the rule resolves its firing alert: nothing would ever judge it again
        given().auth().oauth2(key("admin")).delete("/v1/rules/" + ruleId).then().statusCode(204);
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/alerts/" + fingerprint)
                .then()
                .statusCode(200)
                .body("state", equalTo("resolved"));
        TopicReader.await(
                Topics.ALERTS,
                r -> fingerprint.equals(r.key())
                        && EventJson.decode(r.value(), AlertEvent.class).state() == AlertState.RESOLVED,
                1,
                Duration.ofSeconds(20));
    }

    private static String rule(String id, double value, String pendingFor) {
        return """
                {"metric": "cost_usd", "groupBy": ["feature"],
                 "condition": {"type": "static", "direction": "above", "value": %s},
                 "for": "%s", "severity": "warning", "owner": "team-finops",
                 "runbookUrl": "https://runbooks.example/cost.md",
                 "summary": "cost of {{feature}} is {{value}} (threshold {{threshold}})"}""".formatted(value, pendingFor);
    }

    private static void window(String feature, int minute, double value) {
        MetricWindow window = new MetricWindow(
                SchemaVersions.CURRENT,
                project(),
                "cost_usd",
                Map.of("feature", feature),
                T0.plusSeconds(60L * minute),
                T0.plusSeconds(60L * (minute + 1)),
                value,
                100,
                null,
                0);
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            // one key per series: its windows arrive in order, as the aggregator publishes them
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(
                            Topics.METRIC_WINDOWS, project() + "|cost_usd|" + feature, EventJson.encode(window)))
                    .awaitCompletion();
        }
    }

    private long count(String sql, String arg) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(arg))
                .await()
                .atMost(Duration.ofSeconds(5))
                .iterator()
                .next()
                .getLong(0);
    }

    private static String project() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-a.id", String.class);
    }

    private static String key(String kind) {
        return ConfigProvider.getConfig().getValue("loupe.test.project-a." + kind + "-key", String.class);
    }

    private static String otherKey() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-b.secret-key", String.class);
    }
}
