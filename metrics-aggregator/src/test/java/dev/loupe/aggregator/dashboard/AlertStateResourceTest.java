package dev.loupe.aggregator.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.AlertState;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Alert state from loupe.alerts.v1 events, and the forwarded actions when alert-manager cannot be reached. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AlertStateResourceTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String readKeyA;

    @ConfigProperty(name = "loupe.test.project-a.admin-key")
    String adminKeyA;

    @ConfigProperty(name = "loupe.test.project-b.id")
    String projectB;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String readKeyB;

    @Test
    void latestStatePerAlertFilteredByStateAndScopedToTheProject() {
        String pendingThenFiring = TestSpans.randomHex(16);
        String resolved = TestSpans.randomHex(16);
        String acknowledged = TestSpans.randomHex(16);
        String otherProjects = TestSpans.randomHex(16);
        // sent out of order: the latest is decided by the events' own times, not by arrival
        send(event(projectA, pendingThenFiring, AlertState.FIRING, T0.plusSeconds(120), null, null, null));
        send(event(projectA, pendingThenFiring, AlertState.PENDING, T0, null, null, null));
        send(event(projectA, resolved, AlertState.FIRING, T0, null, null, null));
        send(event(projectA, resolved, AlertState.RESOLVED, T0, T0.plusSeconds(600), null, null));
        send(event(projectA, acknowledged, AlertState.FIRING, T0.plusSeconds(60), null, null, null));
        send(event(projectA, acknowledged, AlertState.FIRING, T0.plusSeconds(60), null, "alice", T0.plusSeconds(300)));
        send(event(projectB, otherProjects, AlertState.FIRING, T0, null, null, null));

        List<String> mine = List.of(pendingThenFiring, resolved, acknowledged);
        List<AlertView> all = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> only(mine, alerts(readKeyA, null)),
                        a -> a.size() == 3
                                && a.stream().anyMatch(v -> v.acknowledgedBy() != null)
                                && a.stream().anyMatch(v -> v.state().equals("RESOLVED"))
                                && a.stream().noneMatch(v -> v.state().equals("PENDING")));
        assertThat(all)
                .extracting(AlertView::fingerprint)
                .containsExactly(acknowledged, pendingThenFiring, resolved); // firing first, newest change first
        AlertView ack = all.get(0);
        assertThat(ack.acknowledgedBy()).isEqualTo("alice");
        assertThat(ack.changedAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(ack.owner()).isEqualTo("team-ml-quality");
        assertThat(ack.runbookUrl()).isEqualTo("https://runbooks.example/eval-pass-rate-drop.md");
        assertThat(ack.threshold()).isEqualTo(0.8);
        assertThat(ack.labels()).containsEntry("feature", "support-rag");

        assertThat(only(mine, alerts(readKeyA, "firing")))
                .extracting(AlertView::fingerprint)
                .containsExactly(acknowledged, pendingThenFiring);
        assertThat(only(mine, alerts(readKeyA, "resolved")))
                .extracting(AlertView::fingerprint)
                .containsExactly(resolved);
        assertThat(only(mine, alerts(readKeyA, "acknowledged")))
                .extracting(AlertView::fingerprint)
                .containsExactly(acknowledged);
        assertThat(only(mine, alerts(readKeyA, "pending"))).isEmpty();
        assertThat(only(mine, alerts(readKeyA, "PENDING,resolved")))
                .extracting(AlertView::fingerprint)
                .containsExactly(resolved);
        assertThat(alerts(readKeyA, null).alerts())
                .extracting(AlertView::fingerprint)
                .doesNotContain(otherProjects);
        assertThat(await().atMost(Duration.ofSeconds(20))
                        .until(() -> alerts(readKeyB, null).alerts(), a -> !a.isEmpty()))
                .extracting(AlertView::fingerprint)
                .containsExactly(otherProjects);
        given().auth()
                .oauth2(readKeyA)
                .queryParam("state", "burning")
                .get("/v1/alerts")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("state"));
        given().get("/v1/alerts").then().statusCode(401);
    }

    @Test
    void historyListsEveryStateChangeOfOneAlertOfTheProject() {
        String fingerprint = TestSpans.randomHex(16);
        send(event(projectA, fingerprint, AlertState.PENDING, T0, null, null, null));
        send(event(projectA, fingerprint, AlertState.FIRING, T0.plusSeconds(120), null, null, null));
        send(event(projectA, fingerprint, AlertState.FIRING, T0.plusSeconds(120), null, null, null)); // redelivered
        send(event(projectA, fingerprint, AlertState.RESOLVED, T0.plusSeconds(120), T0.plusSeconds(900), null, null));

        AlertView.History history = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> {
                            var r = given().auth().oauth2(readKeyA).get("/v1/alerts/" + fingerprint + "/history");
                            return r.statusCode() == 200 ? r.as(AlertView.History.class) : null;
                        },
                        h -> h != null && h.events().size() == 3);
        assertThat(history.events()).extracting(AlertView::state).containsExactly("PENDING", "FIRING", "RESOLVED");
        given().auth()
                .oauth2(readKeyB)
                .get("/v1/alerts/" + fingerprint + "/history")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(readKeyA)
                .get("/v1/alerts/not-a-fingerprint/history")
                .then()
                .statusCode(400)
                .body("field", equalTo("fingerprint"));
    }

    @Test
    void actionsNeedAnAdminKeyAndAnswer503WhenAlertManagerIsDown() {
        String fingerprint = TestSpans.randomHex(16);
        String silence =
                "{\"matchers\": [{\"name\": \"alertname\", \"value\": \"x\"}], \"endsAt\": \"2030-01-01T00:00:00Z\"}";
        given().auth()
                .oauth2(readKeyA)
                .contentType("application/json")
                .body("{}")
                .post("/v1/alerts/" + fingerprint + "/ack")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(readKeyA)
                .contentType("application/json")
                .body(silence)
                .post("/v1/silences")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().contentType("application/json")
                .body(silence)
                .post("/v1/silences")
                .then()
                .statusCode(401);

        given().auth()
                .oauth2(adminKeyA)
                .contentType("application/json")
                .body("{\"by\": \"alice\"}")
                .post("/v1/alerts/" + fingerprint + "/ack")
                .then()
                .statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "5");
        given().auth()
                .oauth2(adminKeyA)
                .contentType("application/json")
                .body(silence)
                .post("/v1/silences")
                .then()
                .statusCode(503)
                .contentType("application/problem+json");
        given().auth().oauth2(readKeyA).get("/v1/rules").then().statusCode(503).contentType("application/problem+json");
        given().auth()
                .oauth2(readKeyA)
                .get("/v1/datasets")
                .then()
                .statusCode(503)
                .contentType("application/problem+json");
        // a path that is not a fingerprint never reaches alert-manager (that would be 503 here)
        given().auth()
                .oauth2(adminKeyA)
                .urlEncodingEnabled(false)
                .post("/v1/alerts/..%2F..%2Fsilences/ack")
                .then()
                .statusCode(anyOf(is(400), is(404)));
    }

    private static AlertView.Alerts alerts(String key, String state) {
        var request = given().auth().oauth2(key);
        if (state != null) {
            request.queryParam("state", state);
        }
        return request.get("/v1/alerts").then().statusCode(200).extract().as(AlertView.Alerts.class);
    }

    private static AlertEvent event(
            String project,
            String fingerprint,
            AlertState state,
            Instant startsAt,
            Instant endsAt,
            String acknowledgedBy,
            Instant acknowledgedAt) {
        return new AlertEvent(
                SchemaVersions.CURRENT,
                project,
                fingerprint,
                "eval-pass-rate-drop",
                state,
                acknowledgedBy,
                acknowledgedAt,
                "critical",
                "team-ml-quality",
                "https://runbooks.example/eval-pass-rate-drop.md",
                "Eval pass rate for support-rag fell",
                Map.of("feature", "support-rag", "alertname", "eval-pass-rate-drop"),
                0.71,
                0.8,
                0.87,
                startsAt,
                endsAt);
    }

    private static void send(AlertEvent event) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(Topics.ALERTS, event.fingerprint(), EventJson.encode(event)))
                    .awaitCompletion();
        }
    }

    /** This test's alerts, in the answer's order (other tests add alerts to the same project). */
    static List<AlertView> only(List<String> fingerprints, AlertView.Alerts alerts) {
        return alerts.alerts().stream()
                .filter(a -> fingerprints.contains(a.fingerprint()))
                .toList();
    }
}
