package dev.loupe.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.common.egress.EgressPolicy;
import dev.loupe.contracts.json.EventJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertmanagerNotifierTest extends HttpNotifierContract {
    /** Debian's package; absent on CI, where the test against the real Alertmanager is skipped. */
    static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");

    @Override
    Notifier create(EgressPolicy egress, ReceiversConfig config) {
        return new AlertmanagerNotifier(vertx, egress, config);
    }

    @Override
    ObjectNode settings(String url) {
        return EventJson.mapper().createObjectNode().put("url", url);
    }

    @Override
    String expectedPath() {
        return "/hooks/" + SECRET + "/api/v2/alerts";
    }

    @Test
    void firingAlertsArePostedWithoutEndsAt() throws Exception {
        fake.answer(200, "");

        send(TestNotifications.firing());

        JsonNode expected = EventJson.mapper().readTree("""
                [{"labels": {"alertname": "eval-pass-rate-drop", "evaluator": "json_valid", "feature": "support-rag",
                             "owner": "team-ml-quality", "severity": "critical"},
                  "annotations": {"summary": "Eval pass rate for support-rag fell to 0.71 (baseline 0.9)",
                                  "owner": "team-ml-quality",
                                  "runbookUrl": "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md",
                                  "value": "0.71", "threshold": "0.8", "baseline": "0.9"},
                  "startsAt": "2026-11-27T10:00:00Z",
                  "generatorURL": "http://localhost:8084/metrics/eval_pass_rate?feature=support-rag&evaluator=json_valid"},
                 {"labels": {"alertname": "eval-pass-rate-drop", "evaluator": "regex_absent<&>", "feature": "support-rag",
                             "owner": "team-ml-quality", "severity": "critical"},
                  "annotations": {"summary": "Pass rate <b>& fell for <!channel>", "dashboard": "http://localhost:8084/",
                                  "owner": "team-ml-quality",
                                  "runbookUrl": "https://docs.loupe.dev/runbooks/eval-pass-rate-drop.md",
                                  "value": "50", "threshold": "0.0000001"},
                  "startsAt": "2026-11-27T10:01:00Z"}]
                """);
        assertThat(fake.take().json()).isEqualTo(expected);
    }

    @Test
    void resolvedAlertsCarryEndsAt() {
        fake.answer(200, "");

        send(TestNotifications.resolved());

        assertThat(fake.take().json().findValuesAsText("endsAt"))
                .containsExactly("2026-11-27T10:30:00Z", "2026-11-27T10:30:00Z");
    }

    @Test
    void acknowledgementIsNotSent() {
        Delivery delivery = send(TestNotifications.acknowledged("alice"));

        assertThat(delivery).isEqualTo(Delivery.delivered("acknowledgement not sent to Alertmanager"));
        assertThat(fake.received()).isZero();
    }

    @Test
    void namesAlertmanagerWouldRefuseAreRewritten() {
        assertThat(AlertmanagerNotifier.names(Map.of("gen_ai.system", "openai", "9lives", "x", "ok_name", "y")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("gen_ai_system", "openai", "_9lives", "x", "ok_name", "y"));
    }

    @Test
    void baseUrlWithTrailingSlashGetsOneSlash() {
        assertThat(AlertmanagerNotifier.alertsEndpoint(URI.create("http://am.example:9093/")))
                .isEqualTo(URI.create("http://am.example:9093/api/v2/alerts"));
    }

    /** Against the real thing when the machine has it: the alert must be readable back through Alertmanager's API. */
    @Test
    void realAlertmanagerAcceptsAFiringAlert(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(ALERTMANAGER), "prometheus-alertmanager is not installed");
        int port = freePort();
        Path config = Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: nowhere
                receivers:
                  - name: nowhere
                """);
        Process process = new ProcessBuilder(
                        ALERTMANAGER.toString(),
                        "--config.file=" + config,
                        "--storage.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address=")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("alertmanager.log").toFile())
                .start();
        try {
            String base = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newHttpClient();
            awaitReady(http, base, process, dir);
            Notifier real = create(LOOPBACK, () -> Duration.ofSeconds(10));
            AlertSnapshot a = TestNotifications.jsonValid(AlertSnapshot.FIRING);
            AlertSnapshot recent = new AlertSnapshot(
                    a.fingerprint(),
                    a.ruleId(),
                    a.status(),
                    a.labels(),
                    a.annotations(),
                    Instant.now().minusSeconds(60),
                    null,
                    a.generatorUrl(),
                    a.severity(),
                    a.owner(),
                    a.runbookUrl(),
                    a.summary(),
                    a.value(),
                    a.threshold(),
                    a.baseline(),
                    null);
            GroupNotification group =
                    TestNotifications.group(AlertSnapshot.FIRING, List.of(recent), GroupNotification.Action.NOTIFY);

            Delivery delivery = real.send(
                            new ReceiverConfig(
                                    TestNotifications.PROJECT, "am", AlertmanagerNotifier.TYPE, settings(base)),
                            group)
                    .await()
                    .atMost(FakeReceiver.SEND_WAIT);

            assertThat(delivery.outcome()).as(delivery.detail()).isEqualTo(Delivery.Outcome.DELIVERED);
            JsonNode alerts = EventJson.mapper()
                    .readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/api/v2/alerts"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
            assertThat(alerts).hasSize(1);
            JsonNode alert = alerts.get(0);
            assertThat(alert.at("/labels/alertname").asText()).isEqualTo("eval-pass-rate-drop");
            assertThat(alert.at("/labels/feature").asText()).isEqualTo("support-rag");
            assertThat(alert.at("/annotations/runbookUrl").asText()).isEqualTo(TestNotifications.RUNBOOK);
            assertThat(alert.at("/annotations/value").asText()).isEqualTo("0.71");
            assertThat(alert.at("/status/state").asText()).isEqualTo("active");
            assertThat(alert.get("generatorURL").asText()).isEqualTo(a.generatorUrl());
        } finally {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static void awaitReady(HttpClient http, String base, Process process, Path dir) {
        // polls /-/ready until it answers 200 or the deadline passes; an exited process fails at once
        await("alertmanager ready (log: " + dir.resolve("alertmanager.log") + ")")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .failFast(
                        "alertmanager exited",
                        () -> assertThat(process.isAlive())
                                .as(() -> "alertmanager exited: " + log(dir))
                                .isTrue())
                .ignoreException(IOException.class)
                .until(() -> http.send(
                                        HttpRequest.newBuilder(URI.create(base + "/-/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200);
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("alertmanager.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
