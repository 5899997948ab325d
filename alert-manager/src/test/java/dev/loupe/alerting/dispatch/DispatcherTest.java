package dev.loupe.alerting.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loupe.alerting.notify.Notifiers;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.CommitIntervals;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Notification timelines in the style of Alertmanager's acceptance tests: alerts made by real windows, then
 * dispatch passes at chosen instants of an injected clock, and the exact notifications a local webhook
 * receiver got — no more, no fewer.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DispatcherTest {
    private static final Instant W0 = Instant.parse("2026-11-21T08:00:00Z");
    private static final List<JsonObject> RECEIVED = new CopyOnWriteArrayList<>();
    private static final AtomicInteger FAILING = new AtomicInteger();
    private static Vertx vertx;
    private static int port;

    @Inject
    Dispatcher dispatcher;

    @Inject
    dev.loupe.alerting.AlertingConfig config;

    @Inject
    DispatchLease lease;

    @Inject
    DispatchStore store;

    @Inject
    Notifiers notifiers;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    @Inject
    Pool pool;

    /** Lag counts committed offsets: every consumer commits each second, not every five (CommitIntervals). */
    @Test
    void everyConsumerCommitsAtLoupesIntervalNotTheConnectorsFiveSeconds() {
        CommitIntervals.assertEveryConsumerCommitsAtLoupesInterval("windows-in");
    }

    @BeforeAll
    static void receiver() throws Exception {
        vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    if (request.path().equals("/dead")) {
                        FAILING.incrementAndGet();
                        request.response().setStatusCode(503).end("down");
                        return;
                    }
                    RECEIVED.add(body.toJsonObject().put("path", request.path()));
                    request.response().setStatusCode(200).end();
                }));
        port = server.listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    @AfterAll
    static void close() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void waitRepeatAcknowledgeAndResolveHappenAtTheirInstantsAndNoOthers() {
        String feature = "timeline-" + Long.toHexString(System.nanoTime());
        setUp(feature, "/hook", Map.of());
        fire(feature);
        Instant t = Instant.now();

        expect(feature, t, 0, "the group forms: groupWait starts");
        expect(feature, t.plusSeconds(29), 0, "groupWait not over");
        expect(feature, t.plusSeconds(30), 1, "groupWait over");
        JsonObject first = last(feature);
        assertThat(first.getString("version")).isEqualTo("4");
        assertThat(first.getString("status")).isEqualTo("firing");
        assertThat(first.getJsonArray("alerts")).hasSize(1);
        JsonObject alert = first.getJsonArray("alerts").getJsonObject(0);
        assertThat(alert.getJsonObject("labels").getString("feature")).isEqualTo(feature);
        assertThat(alert.getJsonObject("annotations").getString("owner")).isEqualTo("team-b");
        assertThat(alert.getJsonObject("annotations").getString("runbookUrl"))
                .isEqualTo("https://runbooks.example/b.md");
        assertThat(alert.getJsonObject("annotations").getString("threshold")).isEqualTo("10");
        expect(feature, t.plusSeconds(31), 1, "nothing new");
        expect(feature, t.plus(Duration.ofMinutes(30)), 1, "not yet the repeat");
        expect(feature, t.plusSeconds(30).plus(Duration.ofHours(1)), 2, "repeatInterval");

        String fingerprint = alert.getString("fingerprint");
        given().auth()
                .oauth2(key("admin"))
                .post("/v1/alerts/" + fingerprint + "/ack")
                .then()
                .statusCode(200);
        expect(feature, t.plus(Duration.ofHours(1)).plusSeconds(40), 2, "webhooks are not told of acknowledgements");
        expect(feature, t.plusSeconds(30).plus(Duration.ofHours(2)), 2, "acknowledged: no repeat");

        resolve(feature);
        expect(feature, t.plus(Duration.ofHours(1)).plusSeconds(31), 2, "groupInterval not yet passed");
        expect(feature, t.plus(Duration.ofHours(2)).plusSeconds(31), 3, "the resolve");
        JsonObject resolved = last(feature);
        assertThat(resolved.getString("status")).isEqualTo("resolved");
        assertThat(resolved.getJsonArray("alerts").getJsonObject(0).getString("status"))
                .isEqualTo("resolved");
        expect(feature, t.plus(Duration.ofHours(5)), 3, "all resolved and told: the group is done");
    }

    /**
     * Two replicas over one database, passes at the same instants: the one holding the dispatcher lease notifies, the
     * other does nothing. The holder dies (its lease lapses; made to lapse here rather than waited for): the other
     * takes the lease with the next token at its next pass, repeats no firing notification and sends the resolve
     * once. The dead one's token is fenced: a record written under it is refused.
     */
    @Test
    void ofTwoReplicasOnlyTheLeaseHolderNotifiesAndTheOtherTakesOverWithoutRepeating() {
        String feature = "replicas-" + Long.toHexString(System.nanoTime());
        setUp(feature, "/hook", Map.of());
        fire(feature);
        Instant t = Instant.now();
        long first = lease.acquire().await().atMost(Duration.ofSeconds(10)).orElseThrow();
        DispatchLease otherLease = new DispatchLease(pool, config.dispatchLease(), registry);
        Dispatcher other = new Dispatcher(store, otherLease, notifiers, config, clock, registry);
        try {
            assertThat(otherLease.holder()).isNotEqualTo(lease.holder());
            for (Instant at : List.of(t, t.plusSeconds(30), t.plusSeconds(31), t.plusSeconds(60))) {
                int[] sent = both(other, at);
                assertThat(sent[1])
                        .as("the replica without the lease sends nothing")
                        .isZero();
            }
            assertThat(count(feature)).as("one firing notification").isEqualTo(1);

            // the holder dies: nothing renews its lease, which lapses
            expireLease();
            assertThat(other.tick(t.plusSeconds(90)).await().atMost(Duration.ofSeconds(30)))
                    .as("no repeated firing after the take-over")
                    .isZero();
            long second =
                    otherLease.acquire().await().atMost(Duration.ofSeconds(10)).orElseThrow();
            assertThat(second).isEqualTo(first + 1);
            assertThat(lease.acquire().await().atMost(Duration.ofSeconds(10)))
                    .as("the old holder, back from a pause, finds the lease taken")
                    .isEmpty();
            assertThatThrownBy(() -> lease.fenced(first, c -> Uni.createFrom().item(1))
                            .await()
                            .atMost(Duration.ofSeconds(10)))
                    .isInstanceOf(DispatchLease.LeaseLost.class);

            resolve(feature);
            other.tick(t.plusSeconds(120)).await().atMost(Duration.ofSeconds(30));
            other.tick(t.plus(Duration.ofMinutes(6))).await().atMost(Duration.ofSeconds(30));
            assertThat(tick(t.plus(Duration.ofMinutes(7))))
                    .as("the old holder stays out")
                    .isZero();
            assertThat(count(feature)).as("firing once, resolved once").isEqualTo(2);
            assertThat(last(feature).getString("status")).isEqualTo("resolved");
        } finally {
            // hand the lease back to this test application's dispatcher for the other tests
            expireLease();
            lease.acquire().await().atMost(Duration.ofSeconds(10));
        }
    }

    private int[] both(Dispatcher other, Instant at) {
        return Uni.combine()
                .all()
                .unis(dispatcher.tick(at), other.tick(at))
                .with((a, b) -> new int[] {a, b})
                .await()
                .atMost(Duration.ofSeconds(30));
    }

    private void expireLease() {
        pool.preparedQuery("update alerting.leases set expires_at = now() - interval '1 second' where name = $1")
                .execute(Tuple.of(DispatchLease.NAME))
                .await()
                .atMost(Duration.ofSeconds(10));
    }

    @Test
    void aSilencedAlertIsNotNotifiedUntilTheSilenceEnds() {
        String feature = "silenced-" + Long.toHexString(System.nanoTime());
        setUp(feature, "/hook", Map.of());
        String silence = given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(Map.of(
                        "matchers",
                        List.of(Map.of("name", "feature", "value", feature)),
                        "endsAt",
                        Instant.now().plus(Duration.ofHours(1)).toString(),
                        "createdBy",
                        "bob",
                        "comment",
                        "known incident"))
                .post("/v1/silences")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        fire(feature);
        Instant t = Instant.now();
        expect(feature, t, 0, "silenced");
        expect(feature, t.plusSeconds(60), 0, "still silenced");

        given().auth()
                .oauth2(key("admin"))
                .delete("/v1/silences/" + silence)
                .then()
                .statusCode(204);
        expect(feature, t.plusSeconds(61), 0, "the group forms once the silence ends");
        expect(feature, t.plusSeconds(91), 1, "and is notified after groupWait");
        assertThat(last(feature).getString("status")).isEqualTo("firing");
    }

    @Test
    void silencingANotifiedAlertSendsNoFalseResolve() {
        String feature = "hushed-" + Long.toHexString(System.nanoTime());
        setUp(feature, "/hook", Map.of());
        fire(feature);
        Instant t = Instant.now();
        expect(feature, t, 0, "formed");
        expect(feature, t.plusSeconds(30), 1, "notified");
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(Map.of(
                        "matchers",
                        List.of(Map.of("name", "feature", "value", feature)),
                        "endsAt",
                        Instant.now().plus(Duration.ofHours(1)).toString(),
                        "createdBy",
                        "bob",
                        "comment",
                        "working on it"))
                .post("/v1/silences")
                .then()
                .statusCode(201);
        expect(feature, t.plusSeconds(30).plus(Duration.ofMinutes(5)), 1, "silenced: no notification, no resolve");
        expect(feature, t.plus(Duration.ofHours(2)), 1, "and no repeat");
    }

    @Test
    void aBrokenRouteTreeIsRefused() {
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"receiver\": \"default\", \"routes\": [{\"matchers\": {\"feature\": null}}]}")
                .put("/v1/routes")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"receiver\": \"default\", \"groupBy\": [null]}")
                .put("/v1/routes")
                .then()
                .statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("groupBy[0]"));
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(Map.of(
                        "matchers",
                        List.of(Map.of("name", "feature", "value", "x".repeat(300), "isRegex", true)),
                        "endsAt",
                        Instant.now().plus(Duration.ofHours(1)).toString(),
                        "createdBy",
                        "bob",
                        "comment",
                        "c"))
                .post("/v1/silences")
                .then()
                .statusCode(400);
    }

    @Test
    void aDeadReceiverIsRetriedWithBackOffAndNeverHoldsUpAnother() {
        String feature = "dead-" + Long.toHexString(System.nanoTime());
        setUp(feature, "/hook", Map.of("dead", "/dead"));
        fire(feature);
        Instant t = Instant.now();
        tick(t);
        int failures = FAILING.get();
        expect(feature, t.plusSeconds(30), 1, "the live receiver is notified");
        assertThat(FAILING.get()).isEqualTo(failures + 1);
        tick(t.plusSeconds(30));
        assertThat(FAILING.get()).as("back-off: not again at once").isEqualTo(failures + 1);
        tick(t.plusSeconds(32));
        assertThat(FAILING.get()).as("retried after the back-off").isEqualTo(failures + 2);
        assertThat(count(feature)).isEqualTo(1);
    }

    @Test
    void alertsOfOneGroupTravelTogetherAndALateOneWaitsForTheGroupInterval() {
        String feature = "grouped-" + Long.toHexString(System.nanoTime());
        setUp(feature, "/hook", Map.of());
        // a second rule on the same feature: grouped by alertname and feature it forms a group of its own;
        // grouped by feature only (this route), both alerts share one
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("""
                {"receiver": "nowhere", "routes": [{"matchers": {"feature": "%s"}, "receiver": "hook-%s",
                 "groupBy": ["feature"], "groupWait": "PT30S", "groupInterval": "PT5M", "repeatInterval": "PT1H"}]}""".formatted(feature, feature))
                .put("/v1/routes")
                .then()
                .statusCode(200);
        fire(feature);
        Instant t = Instant.now();
        expect(feature, t, 0, "formed");
        expect(feature, t.plusSeconds(30), 1, "first notification");
        assertThat(last(feature).getJsonArray("alerts")).hasSize(1);

        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("""
                {"metric": "error_rate", "groupBy": ["feature"], "filter": {"feature": "%s"},
                 "condition": {"type": "static", "direction": "above", "value": 20}, "for": "PT0S",
                 "severity": "warning", "owner": "team-b", "runbookUrl": "https://runbooks.example/b2.md"}""".formatted(feature))
                .put("/v1/rules/errors2-" + feature)
                .then()
                .statusCode(201);
        window(feature, 5, 60);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> given().auth()
                        .oauth2(key("secret"))
                        .queryParam("state", "firing")
                        .get("/v1/alerts")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("alerts.ruleId")
                        .contains("errors2-" + feature));
        expect(feature, t.plusSeconds(60), 1, "the group changed, but groupInterval has not passed");
        expect(feature, t.plusSeconds(330), 2, "groupInterval after the last notification");
        assertThat(last(feature).getJsonArray("alerts")).hasSize(2);
        assertThat(last(feature).getJsonObject("groupLabels").getString("feature"))
                .isEqualTo(feature);
    }

    @Test
    void anAcknowledgementIsPassedOnToPagerDutyOnce() {
        String feature = "paged-" + Long.toHexString(System.nanoTime());
        setUp(feature, "/hook", Map.of());
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(Map.of(
                        "type",
                        "pagerduty",
                        "routingKey",
                        "R0UT1NGKEY0000000000000000000000",
                        "url",
                        "http://127.0.0.1:" + port + "/pd-" + feature))
                .put("/v1/receivers/hook-" + feature)
                .then()
                .statusCode(200);
        fire(feature);
        Instant t = Instant.now();
        tick(t);
        tick(t.plusSeconds(30));
        List<JsonObject> paged = pagerDuty(feature);
        assertThat(paged).extracting(n -> n.getString("event_action")).containsExactly("trigger");

        String fingerprint = given().auth()
                .oauth2(key("secret"))
                .queryParam("state", "firing")
                .get("/v1/alerts")
                .then()
                .extract()
                .jsonPath()
                .getString("alerts.find { it.ruleId == 'errors-" + feature + "' }.fingerprint");
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("{\"by\": \"carol\"}")
                .post("/v1/alerts/" + fingerprint + "/ack")
                .then()
                .statusCode(200);
        tick(t.plusSeconds(40));
        tick(t.plusSeconds(50));
        assertThat(pagerDuty(feature))
                .extracting(n -> n.getString("event_action"))
                .containsExactly("trigger", "acknowledge");
        assertThat(pagerDuty(feature).get(1).getString("dedup_key"))
                .isEqualTo(paged.get(0).getString("dedup_key"));
    }

    @Test
    void aReceiverCanBeTriedFromTheApiAndABadOneIsRefused() {
        String feature = "try-" + Long.toHexString(System.nanoTime());
        setUp(feature, "/hook", Map.of());
        given().auth()
                .oauth2(key("admin"))
                .post("/v1/receivers/hook-" + feature + "/test")
                .then()
                .statusCode(200)
                .body("outcome", org.hamcrest.Matchers.equalTo("DELIVERED"));
        assertThat(RECEIVED).anyMatch(n -> "{alertname=loupe-test}".equals(n.getString("groupKey")));
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(Map.of("type", "webhook", "url", "http://10.0.0.1/hook"))
                .put("/v1/receivers/private")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", org.hamcrest.Matchers.equalTo("url"));
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(Map.of("type", "carrier-pigeon"))
                .put("/v1/receivers/odd")
                .then()
                .statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("type"));
        given().auth()
                .oauth2(key("secret"))
                .contentType("application/json")
                .body(Map.of("type", "webhook", "url", "http://127.0.0.1:1/x"))
                .put("/v1/receivers/sneaky")
                .then()
                .statusCode(403);
    }

    @Test
    void theShippedRulesLinkTheDashboardsRunbooksByDefault() {
        // no runbook-base-url in the test profile: the base follows the dashboard's URL, which serves /runbooks/
        assertThat(config.runbookBaseUrl()).isEqualTo(config.externalUrl().replaceAll("/+$", "") + "/runbooks");
        assertThat(new dev.loupe.alerting.rules.DefaultRules(config).rules())
                .allSatisfy(rule -> assertThat(rule.runbookUrl())
                        .isEqualTo(config.externalUrl().replaceAll("/+$", "") + "/runbooks/" + rule.id() + ".md"));
    }

    private void expect(String feature, Instant at, long notifications, String why) {
        tick(at);
        assertThat(count(feature)).as(why).isEqualTo(notifications);
    }

    /** Project B: a route for this feature to receivers on the local server, grouped per feature. */
    private void setUp(String feature, String path, Map<String, String> extra) {
        String receiver = "hook-" + feature;
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body(Map.of("type", "webhook", "url", "http://127.0.0.1:" + port + path))
                .put("/v1/receivers/" + receiver)
                .then()
                .statusCode(200);
        StringBuilder children = new StringBuilder("{\"matchers\": {\"feature\": \"" + feature + "\"}, \"receiver\": \""
                + receiver + "\", \"continue\": " + !extra.isEmpty() + "}");
        extra.forEach((name, p) -> {
            given().auth()
                    .oauth2(key("admin"))
                    .contentType("application/json")
                    .body(Map.of("type", "webhook", "url", "http://127.0.0.1:" + port + p))
                    .put("/v1/receivers/" + name + "-" + feature)
                    .then()
                    .statusCode(200);
            children.append(", {\"matchers\": {\"feature\": \"")
                    .append(feature)
                    .append("\"}, \"receiver\": \"")
                    .append(name)
                    .append("-")
                    .append(feature)
                    .append("\"}");
        });
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("""
                {"receiver": "nowhere", "groupBy": ["alertname", "feature"], "groupWait": "PT30S",
                 "groupInterval": "PT5M", "repeatInterval": "PT1H", "routes": [%s]}""".formatted(children))
                .put("/v1/routes")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(key("admin"))
                .contentType("application/json")
                .body("""
                {"metric": "error_rate", "groupBy": ["feature"], "filter": {"feature": "%s"},
                 "condition": {"type": "static", "direction": "above", "value": 10}, "for": "PT0S",
                 "severity": "critical", "owner": "team-b", "runbookUrl": "https://runbooks.example/b.md",
                 "summary": "errors on {{feature}}: {{value}}"}""".formatted(feature))
                .put("/v1/rules/errors-" + feature)
                .then()
                .statusCode(201);
    }

    private void fire(String feature) {
        window(feature, 0, 50);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> given().auth()
                        .oauth2(key("secret"))
                        .queryParam("state", "firing")
                        .get("/v1/alerts")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("alerts.ruleId")
                        .contains("errors-" + feature));
    }

    private void resolve(String feature) {
        window(feature, 1, 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> given().auth()
                        .oauth2(key("secret"))
                        .queryParam("state", "resolved")
                        .get("/v1/alerts")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("alerts.ruleId")
                        .contains("errors-" + feature));
    }

    private static void window(String feature, int minute, double value) {
        MetricWindow window = new MetricWindow(
                SchemaVersions.CURRENT,
                project(),
                "error_rate",
                Map.of("feature", feature),
                W0.plusSeconds(60L * minute),
                W0.plusSeconds(60L * (minute + 1)),
                value,
                100,
                null,
                0);
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(
                            Topics.METRIC_WINDOWS, project() + "|" + feature, EventJson.encode(window)))
                    .awaitCompletion();
        }
    }

    private int tick(Instant at) {
        return dispatcher.tick(at).await().atMost(Duration.ofSeconds(30));
    }

    private static long count(String feature) {
        return RECEIVED.stream()
                .filter(n -> n.getString("groupKey", "").contains(feature))
                .count();
    }

    private static List<JsonObject> pagerDuty(String feature) {
        return RECEIVED.stream()
                .filter(n -> n.getString("path").equals("/pd-" + feature))
                .toList();
    }

    private static JsonObject last(String feature) {
        return RECEIVED.stream()
                .filter(n -> n.getString("groupKey", "").contains(feature))
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    private static String project() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-b.id", String.class);
    }

    private static String key(String kind) {
        return ConfigProvider.getConfig().getValue("loupe.test.project-b." + kind + "-key", String.class);
    }
}
