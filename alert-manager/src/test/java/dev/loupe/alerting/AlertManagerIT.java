package dev.loupe.alerting;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import dev.loupe.alerting.notify.GreenMailTestResource;
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
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The packaged alert-manager (the fast jar; the native executable with {@code -Dnative}) started once with a real
 * broker, its own database, a loopback webhook receiver and an SMTP server: every endpoint family, the Kafka round
 * trip from a metric window to a published alert, refusals and problem+json answers. It cannot reach the
 * application's beans: it talks HTTP, Kafka, SQL and SMTP only.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(GreenMailTestResource.class)
@WithTestResource(LoopbackReceiverResource.class)
class AlertManagerIT {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    GreenMail greenMail;

    @Test
    void aWindowOverTheRuleFiresAnAlertThatIsPublishedListedAcknowledgedAndBacktested() throws Exception {
        String feature = "it-" + Long.toHexString(System.nanoTime());
        String ruleId = "cost-" + feature;
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(rule(10))
                .put("/v1/rules/{id}", ruleId)
                .then()
                .statusCode(201)
                .body("owner", equalTo("team-finops"));
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/rules/{id}", ruleId)
                .then()
                .statusCode(200)
                .body("condition.value", equalTo(10.0f));
        given().auth()
                .oauth2(key("secret"))
                .contentType("application/json")
                .body(rule(12))
                .post("/v1/rules/{id}/validate", ruleId)
                .then()
                .statusCode(200)
                .body("condition.recoveryValue", equalTo(12.0f));

        // Kafka in: a closed window of the series, far over the threshold
        MetricWindow window = new MetricWindow(
                SchemaVersions.CURRENT,
                project(),
                "cost_usd",
                Map.of("feature", feature),
                T0,
                T0.plusSeconds(60),
                50,
                100,
                null,
                0);
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(
                            Topics.METRIC_WINDOWS, project() + "|cost_usd|" + feature, EventJson.encode(window)))
                    .awaitCompletion(Duration.ofSeconds(30));
        }

        String fingerprint = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> given().auth()
                                .oauth2(key("secret"))
                                .queryParam("state", "firing")
                                .get("/v1/alerts")
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath()
                                .getString("alerts.find { it.ruleId == '" + ruleId + "' }.fingerprint"),
                        fp -> fp != null);
        assertThat(sql(
                        "select count(*) from alerting.metric_windows"
                                + " where project_id = ? and dimensions_key = ? and value = 50 and sample_size = 100",
                        project(),
                        "feature=" + feature))
                .isEqualTo("1");
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/alerts/{fp}", fingerprint)
                .then()
                .statusCode(200)
                .body("state", equalTo("firing"))
                .body("history.state", hasItem("firing"));

        // Kafka out: the firing event, with the rule's owner and runbook
        AlertEvent firing = event(fingerprint, e -> e.state() == AlertState.FIRING);
        assertThat(firing.owner()).isEqualTo("team-finops");
        assertThat(firing.runbookUrl()).isEqualTo("https://runbooks.example/cost.md");
        assertThat(firing.value()).isEqualTo(50.0);
        assertThat(firing.summary()).isEqualTo("cost of " + feature + " is 50 (threshold 10)");

        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"by\": \"alice\"}")
                .post("/v1/alerts/{fp}/ack", fingerprint)
                .then()
                .statusCode(200)
                .body("acknowledgedBy", equalTo("alice"));
        assertThat(event(fingerprint, e -> "alice".equals(e.acknowledgedBy())).state())
                .isEqualTo(AlertState.FIRING);

        JsonPath backtest = given().auth()
                .oauth2(key("secret"))
                .queryParam("from", T0.toString())
                .queryParam("to", T0.plus(1, ChronoUnit.HOURS).toString())
                .post("/v1/rules/{id}/backtest", ruleId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(backtest.getInt("windowsJudged")).isEqualTo(1);
        assertThat(backtest.getInt("fired")).isEqualTo(1);

        // deleting the rule resolves its alert, and says so on the topic
        given().auth()
                .oauth2(key("admin"))
                .delete("/v1/rules/{id}", ruleId)
                .then()
                .statusCode(204);
        event(fingerprint, e -> e.state() == AlertState.RESOLVED);
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/rules/{id}", ruleId)
                .then()
                .statusCode(404);
    }

    @Test
    void receiversAreTestedOverTheWireAndRoutesAndSilencesAreKept() throws Exception {
        String url = ConfigProvider.getConfig().getValue("loupe.test.receiver-url", String.class);
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"type\": \"webhook\", \"url\": \"" + url + "\"}")
                .put("/v1/receivers/it-hook")
                .then()
                .statusCode(200)
                .body("type", equalTo("webhook"));
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/receivers")
                .then()
                .statusCode(200)
                .body("receivers.name", hasItem("it-hook"))
                .body(not(containsString(url)));
        given().auth()
                .oauth2(key("admin"))
                .post("/v1/receivers/it-hook/test")
                .then()
                .statusCode(200)
                .body("outcome", equalTo("DELIVERED"));
        JsonNode payload = LoopbackReceiverResource.received().stream()
                .map(AlertManagerIT::json)
                .filter(p -> p.at("/alerts/0/labels/alertname").asText().equals("loupe-test"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no test notification reached the webhook"));
        assertThat(payload.get("version").asText()).isEqualTo("4");
        assertThat(payload.get("status").asText()).isEqualTo("firing");

        // email, through the Quarkus mailer to a real SMTP server
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"type\": \"email\", \"to\": [\"oncall@example.com\"]}")
                .put("/v1/receivers/it-mail")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(key("admin"))
                .post("/v1/receivers/it-mail/test")
                .then()
                .statusCode(200)
                .body("outcome", equalTo("DELIVERED"));
        assertThat(greenMail.waitForIncomingEmail(10_000, 1)).isTrue();
        assertThat(greenMail.getReceivedMessages()[0].getSubject()).contains("FIRING", "loupe-test");

        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"receiver\": \"it-hook\", \"groupBy\": [\"alertname\"], \"routes\": "
                        + "[{\"matchers\": {\"severity\": \"critical\"}, \"receiver\": \"it-mail\"}]}")
                .put("/v1/routes")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/routes")
                .then()
                .statusCode(200)
                .body("receiver", equalTo("it-hook"))
                .body("routes[0].receiver", equalTo("it-mail"));

        String silence = given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"matchers\": [{\"name\": \"feature\", \"value\": \"it-.*\", \"isRegex\": true}], "
                        + "\"endsAt\": \"" + Instant.now().plus(1, ChronoUnit.HOURS) + "\", "
                        + "\"createdBy\": \"it\", \"comment\": \"maintenance window\"}")
                .post("/v1/silences")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/silences")
                .then()
                .statusCode(200)
                .body("silences.id", hasItem(silence));
        given().auth()
                .oauth2(key("admin"))
                .delete("/v1/silences/{id}", silence)
                .then()
                .statusCode(204);
        given().auth()
                .oauth2(key("admin"))
                .delete("/v1/receivers/it-mail")
                .then()
                .statusCode(204);
    }

    @Test
    void theShippedRulesHealthMetricsAndOpenApiAreServed() {
        given().auth()
                .oauth2(key("secret"))
                .get("/v1/rules")
                .then()
                .statusCode(200)
                .body("rules.id", hasItems("eval-pass-rate-drop", "daily-spend-high", "latency-shift"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("loupe_alerting_windows_received_total"));
        given().get("/q/openapi")
                .then()
                .statusCode(200)
                .body(containsString("/v1/rules/{id}/backtest"))
                .body(containsString("/v1/silences"));
    }

    @Test
    void requestsWithoutAKeyOrWithoutTheScopeAreRefusedAndOtherProjectsSeeNothing() {
        problem(given().get("/v1/rules").then(), 401);
        problem(
                given().auth()
                        .oauth2("lk_0000000000000000_" + "0".repeat(48))
                        .get("/v1/alerts")
                        .then(),
                401);
        // a read key changes nothing
        problem(
                given().auth()
                        .oauth2(key("secret"))
                        .contentType("application/json")
                        .body(rule(10))
                        .put("/v1/rules/it-denied")
                        .then(),
                403);
        problem(
                given().auth()
                        .oauth2(key("secret"))
                        .contentType("application/json")
                        .body("{\"type\": \"webhook\", \"url\": \"https://hooks.example/x\"}")
                        .put("/v1/receivers/it-denied")
                        .then(),
                403);
        problem(
                given().auth()
                        .oauth2(key("secret"))
                        .post("/v1/alerts/0000000000000000/ack")
                        .then(),
                403);
        // the browser-safe feedback key reads nothing
        problem(given().auth().oauth2(key("public")).get("/v1/alerts").then(), 403);

        String ruleId = "it-private-" + Long.toHexString(System.nanoTime());
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(rule(10))
                .put("/v1/rules/{id}", ruleId)
                .then()
                .statusCode(201);
        problem(
                given().auth()
                        .oauth2(otherProjectKey())
                        .get("/v1/rules/{id}", ruleId)
                        .then(),
                404);
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        JsonPath noOwner = problem(
                        given().auth()
                                .oauth2(key("admin"))
                                .contentType("application/json")
                                .body(
                                        "{\"metric\": \"cost_usd\", \"groupBy\": [\"feature\"], \"severity\": \"loud\", "
                                                + "\"condition\": {\"type\": \"static\", \"direction\": \"above\", \"value\": 1}}")
                                .put("/v1/rules/it-bad")
                                .then(),
                        400)
                .extract()
                .jsonPath();
        assertThat(noOwner.getList("errors.field")).contains("severity", "owner", "runbookUrl");
        problem(
                        given().auth()
                                .oauth2(key("admin"))
                                .contentType("application/json")
                                .body("{\"metric\": ")
                                .put("/v1/rules/it-bad")
                                .then(),
                        400)
                .body("field", equalTo("body"));
        // the egress policy refuses a receiver on the cloud metadata address, loopback allowed or not
        problem(
                        given().auth()
                                .oauth2(key("admin"))
                                .contentType("application/json")
                                .body("{\"type\": \"webhook\", \"url\": \"http://169.254.169.254/latest/meta-data\"}")
                                .put("/v1/receivers/it-ssrf")
                                .then(),
                        400)
                .body("field", equalTo("url"));
        problem(
                        given().auth()
                                .oauth2(key("admin"))
                                .contentType("application/json")
                                .body("{\"type\": \"fax\"}")
                                .put("/v1/receivers/it-fax")
                                .then(),
                        400)
                .body("field", equalTo("type"));
        JsonPath silence = problem(
                        given().auth()
                                .oauth2(key("admin"))
                                .contentType("application/json")
                                .body("{\"matchers\": [{\"name\": \"feature\", \"value\": \"(\", \"isRegex\": true}]}")
                                .post("/v1/silences")
                                .then(),
                        400)
                .extract()
                .jsonPath();
        assertThat(silence.getList("errors.field")).contains("matchers[0].value", "endsAt", "createdBy", "comment");
        problem(
                        given().auth()
                                .oauth2(key("secret"))
                                .queryParam("from", "yesterday")
                                .post("/v1/rules/{id}/backtest", "daily-spend-high")
                                .then(),
                        400)
                .body("field", equalTo("from"));
    }

    private static String rule(double value) {
        return """
                {"metric": "cost_usd", "groupBy": ["feature"],
                 "condition": {"type": "static", "direction": "above", "value": %s},
                 "for": "PT0S", "severity": "warning", "owner": "team-finops",
                 "runbookUrl": "https://runbooks.example/cost.md",
                 "summary": "cost of {{feature}} is {{value}} (threshold {{threshold}})"}""".formatted(value);
    }

    private static AlertEvent event(String fingerprint, Predicate<AlertEvent> match) {
        return TopicReader.await(
                        Topics.ALERTS,
                        r -> fingerprint.equals(r.key()) && match.test(EventJson.decode(r.value(), AlertEvent.class)),
                        1,
                        Duration.ofSeconds(20))
                .stream()
                .map(r -> EventJson.decode(r.value(), AlertEvent.class))
                .findFirst()
                .orElseThrow();
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status) {
        return response.log()
                .ifValidationFails()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status));
    }

    private static JsonNode json(String body) {
        try {
            return EventJson.mapper().readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String project() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-a.id", String.class);
    }

    private static String key(String kind) {
        return ConfigProvider.getConfig().getValue("loupe.test.project-a." + kind + "-key", String.class);
    }

    private static String otherProjectKey() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-b.secret-key", String.class);
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
