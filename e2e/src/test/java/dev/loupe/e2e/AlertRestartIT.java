package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import io.restassured.http.ContentType;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Alertmanager's known gap (#2370), closed: the alert-manager is killed while an alert fires, the series
 * recovers while it is down; after the restart the firing notification is not sent again and the resolve
 * is delivered. Real processes and the real clock (the dispatcher runs every second).
 */
@ExtendWith(LoupeStack.Extension.class)
class AlertRestartIT {
    private final LoupeStack stack;

    AlertRestartIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void aRestartNeitherRepeatsTheFiringNotificationNorForgetsTheResolve() throws Exception {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(EventJson.mapper().readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            String alerts = stack.url(LoupeStack.ALERTS);
            String admin = stack.projectA().adminKey();
            String feature = "restart-" + Long.toHexString(System.nanoTime());
            given().auth()
                    .oauth2(admin)
                    .contentType(ContentType.JSON)
                    .body(Map.of("type", "webhook", "url", "http://127.0.0.1:" + port + "/hook"))
                    .put(alerts + "/v1/receivers/default")
                    .then()
                    .statusCode(200);
            given().auth()
                    .oauth2(admin)
                    .contentType(ContentType.JSON)
                    .body("""
                    {"receiver": "default", "groupBy": ["alertname", "feature"], "groupWait": "PT1S",
                     "groupInterval": "PT2S", "repeatInterval": "PT1H"}""")
                    .put(alerts + "/v1/routes")
                    .then()
                    .statusCode(200);
            given().auth()
                    .oauth2(admin)
                    .contentType(ContentType.JSON)
                    .body("""
                    {"metric": "error_rate", "groupBy": ["feature"], "filter": {"feature": "%s"},
                     "condition": {"type": "static", "direction": "above", "value": 0.2}, "for": "PT0S",
                     "severity": "critical", "owner": "team-e2e", "runbookUrl": "https://runbooks.example/e2e.md"}""".formatted(feature))
                    .put(alerts + "/v1/rules/errors-" + feature)
                    .then()
                    .statusCode(201);

            Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
            Instant sent = Instant.now();
            window(feature, start, 0.5);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> count(received, feature, "firing") == 1);
            System.out.printf(
                    "AlertRestartIT: window sent → firing notification received in %d ms (groupWait 1 s)%n",
                    Duration.between(sent, Instant.now()).toMillis());

            // delivery is at-least-once: a kill between the receiver's 2xx and the record of it would resend;
            // this test kills once the delivery is recorded, as any restart after it does
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> recordedGroups(feature, true) == 1);
            stack.service(LoupeStack.ALERTS).kill();
            window(feature, start.plus(Duration.ofMinutes(1)), 0.01); // the series recovers while it is down
            stack.service(LoupeStack.ALERTS).start();
            stack.service(LoupeStack.ALERTS).awaitReady();

            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> count(received, feature, "resolved") == 1);
            // nothing else may arrive: once the resolve is recorded (the group is done and gone), let the
            // restarted dispatcher complete a few more passes (each ends when its deliveries have) and look then
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> recordedGroups(feature, false) == 0);
            double passes = metric(LoupeStack.ALERTS, "loupe_alerting_dispatch_passes_total");
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> metric(LoupeStack.ALERTS, "loupe_alerting_dispatch_passes_total") >= passes + 3);
            System.out.printf(
                    "FAULT alert-manager kill -9 mid-incident: windows sent=2, notifications received=%d"
                            + " (firing=%d, resolved=%d)%n",
                    received.stream()
                            .filter(n -> n.path("groupKey").asText().contains(feature))
                            .count(),
                    count(received, feature, "firing"),
                    count(received, feature, "resolved"));
            assertThat(count(received, feature, "firing"))
                    .as("no duplicate firing notification")
                    .isEqualTo(1);
            assertThat(count(received, feature, "resolved")).isEqualTo(1);
        } finally {
            // leave project A as the other tests expect it: no receiver pointing at a stopped server
            given().auth()
                    .oauth2(stack.projectA().adminKey())
                    .delete(stack.url(LoupeStack.ALERTS) + "/v1/receivers/default");
            given().auth()
                    .oauth2(stack.projectA().adminKey())
                    .contentType(ContentType.JSON)
                    .body("{\"receiver\": \"default\"}")
                    .put(stack.url(LoupeStack.ALERTS) + "/v1/routes");
            server.stop(0);
        }
    }

    /** Notification groups of this feature's alerts stored by the dispatcher ({@code sent}: only those notified). */
    private long recordedGroups(String feature, boolean sent) {
        try (Connection c = stack.database().connect();
                PreparedStatement s = c.prepareStatement(
                        "select count(*) from alerting.notification_groups where project_id = ? and group_key like ?"
                                + (sent ? " and last_sent_at is not null and cardinality(sent_firing) > 0" : ""))) {
            s.setString(1, stack.projectA().id());
            s.setString(2, "%feature=" + feature + "%");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A counter of a service's Prometheus endpoint (summed over its series), 0 when absent. */
    private double metric(String service, String name) {
        String text = given().get(stack.url(service) + "/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return text.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static long count(List<JsonNode> received, String feature, String status) {
        return received.stream()
                .filter(n -> n.path("groupKey").asText().contains(feature)
                        && status.equals(n.path("status").asText()))
                .count();
    }

    private void window(String feature, Instant start, double value) {
        MetricWindow window = new MetricWindow(
                SchemaVersions.CURRENT,
                stack.projectA().id(),
                "error_rate",
                Map.of("feature", feature),
                start,
                start.plus(Duration.ofMinutes(1)),
                value,
                500,
                null,
                0);
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.METRIC_WINDOWS, stack.projectA().id() + "|" + feature, EventJson.encode(window)))
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
