package dev.loupe.aggregator.spans;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.aggregator.query.MetricSeries;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * User and session attributed along a trace (docs/architecture.md#feature-attribution), and the model key
 * (docs/architecture.md#model-key), through the real broker, consumer, database and query API. Project B, at
 * times no other test writes, with names of its own, so the numbers are this class's alone.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class TraceAttributionTest {
    static final Instant DAY = Instant.parse("2026-09-10T00:00:00Z");

    @ConfigProperty(name = "loupe.test.project-b.id")
    String projectB;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String keyB;

    @Inject
    Pool pool;

    @Test
    void childrenStoredBeforeTheirRootMoveToItsUserAndSession() {
        Trace t = new Trace(DAY.plusSeconds(3600));
        send(t.children());
        awaitSpans(t.traceId, 2);
        Map<String, String> versions = rowVersions(t.traceId);
        send(List.of(t.root()));
        awaitSpans(t.traceId, 3);

        t.assertCountedUnderTheRoot();
        // written once (issue 24): learning the trace's user and session moved the children's rollup sums, and left
        // their rows as they were stored (same row version: no update, no new index entries)
        assertThat(rowVersions(t.traceId)).containsAllEntriesOf(versions).hasSize(3);
        t.assertRedeliveryAddsNothing();
    }

    @Test
    void childrenStoredAfterTheirRootInheritItsUserAndSession() {
        Trace t = new Trace(DAY.plusSeconds(7200));
        send(List.of(t.root()));
        awaitSpans(t.traceId, 1);
        send(t.children());
        awaitSpans(t.traceId, 3);

        t.assertCountedUnderTheRoot();
        t.assertRedeliveryAddsNothing();
    }

    @Test
    void childrenAheadOfTheirRootInOneBatchInheritItsUserAndSession() {
        Trace t = new Trace(DAY.plusSeconds(10800));
        List<SpanRecord> all = new ArrayList<>(t.children());
        all.add(t.root());
        send(all);
        awaitSpans(t.traceId, 3);

        t.assertCountedUnderTheRoot();
        t.assertRedeliveryAddsNothing();
    }

    @Test
    void aFailedAndASuccessfulCallOfOneModelAreOneSeries() {
        String family = "mk" + TestSpans.randomHex(8) + "-mini";
        String user = "u-" + TestSpans.randomHex(8);
        Instant at = DAY.plusSeconds(14400);
        String traceA = TestSpans.randomHex(32);
        String traceB = TestSpans.randomHex(32);
        // a failed call carries only the model asked for; a successful one the dated model that answered
        SpanRecord failed = span(traceA, SpanKind.LLM, family, family, at, Outcome.ERROR, "0", null, user, null, null);
        SpanRecord succeeded = span(
                traceB,
                SpanKind.LLM,
                family + "-2024-07-18",
                null,
                at,
                Outcome.SUCCESS,
                "0.001",
                null,
                user,
                null,
                700L);
        send(List.of(failed, succeeded));
        awaitSpans(traceA, 1);
        awaitSpans(traceB, 1);

        for (String filter : List.of(family, family + "-2024-07-18")) {
            MetricSeries byModel = metric("error_rate", "model", Map.of("model", filter), at, at.plusSeconds(60));
            assertThat(byModel.series()).as("filter " + filter).hasSize(1);
            assertThat(byModel.series().get(0).group()).containsEntry("model", family);
            assertThat(byModel.series().get(0).points().get(0).value()).isEqualTo(0.5);
            assertThat(byModel.series().get(0).points().get(0).sampleSize()).isEqualTo(2);
        }
        // the raw-span path (by user) keys models the same way
        MetricSeries byModelAndUser = metric("error_rate", "model,user", Map.of("user", user), at, at.plusSeconds(60));
        assertThat(byModelAndUser.series()).hasSize(1);
        assertThat(byModelAndUser.series().get(0).group()).containsEntry("model", family);
        assertThat(byModelAndUser.series().get(0).points().get(0).value()).isEqualTo(0.5);
        // the spans keep both names; cache-write tokens are summed in the rollups under the key
        assertThat(trace(traceB).get(0).model()).isEqualTo(family + "-2024-07-18");
        assertThat(trace(traceA).get(0).requestModel()).isEqualTo(family);
        for (String g : List.of("1m", "1h", "1d")) {
            Row r = one(
                    "select coalesce(sum(cache_write_input_tokens), 0) as w, coalesce(sum(span_count), 0) as n "
                            + "from telemetry.span_rollup_" + g + " where project_id = $1 and model = $2",
                    family);
            assertThat(r.getLong("w")).as(g).isEqualTo(700);
            assertThat(r.getLong("n")).as(g).isEqualTo(2);
        }
    }

    /** A root span naming feature, user and session, and two LLM children (one with a cost) that name none. */
    private final class Trace {
        final String traceId = TestSpans.randomHex(32);
        final String rootId = TestSpans.randomHex(16);
        final String user = "u-" + TestSpans.randomHex(8);
        final String session = "s-" + TestSpans.randomHex(8);
        final String feature = "f-" + TestSpans.randomHex(8);
        final Instant start;
        final List<SpanRecord> sent = new ArrayList<>();

        Trace(Instant start) {
            this.start = start;
        }

        SpanRecord root() {
            SpanRecord root = withIds(
                    span(
                            traceId,
                            SpanKind.CHAIN,
                            null,
                            null,
                            start,
                            Outcome.SUCCESS,
                            "0",
                            feature,
                            user,
                            session,
                            null),
                    rootId,
                    null);
            sent.add(root);
            return root;
        }

        List<SpanRecord> children() {
            List<SpanRecord> children = List.of(
                    withIds(
                            span(
                                    traceId,
                                    SpanKind.LLM,
                                    "gpt-4o",
                                    null,
                                    start.plusMillis(5),
                                    Outcome.SUCCESS,
                                    "0.0125",
                                    null,
                                    null,
                                    null,
                                    null),
                            TestSpans.randomHex(16),
                            rootId),
                    withIds(
                            span(
                                    traceId,
                                    SpanKind.LLM,
                                    "gpt-4o",
                                    null,
                                    start.plusMillis(900),
                                    Outcome.ERROR,
                                    "0.0075",
                                    null,
                                    null,
                                    null,
                                    null),
                            TestSpans.randomHex(16),
                            rootId));
            sent.addAll(children);
            return children;
        }

        void assertCountedUnderTheRoot() {
            Instant from = DAY;
            Instant to = DAY.plus(Duration.ofDays(1));
            // per user: raw spans
            assertThat(value("request_count", "user", Map.of("user", user), from, to))
                    .isEqualTo(2);
            assertThat(value("cost_usd", "user", Map.of("user", user), from, to))
                    .isEqualTo(0.02);
            assertThat(value("error_rate", "user", Map.of("user", user), from, to))
                    .isEqualTo(0.5);
            // per session: the session rollups (a whole day), and by the hour
            assertThat(value("request_count", "session", Map.of("session", session), from, to))
                    .isEqualTo(2);
            assertThat(value("cost_usd", "session", Map.of("session", session), from, to))
                    .isEqualTo(0.02);
            MetricSeries hourly = metric("cost_usd", "session", Map.of("session", session), from, to, "1h");
            assertThat(hourly.series()).hasSize(1);
            assertThat(hourly.series().get(0).points()).hasSize(1);
            assertThat(hourly.series().get(0).points().get(0).value()).isEqualTo(0.02);
            // raw spans by session and user together, and the feature as before
            MetricSeries both = metric("request_count", "session,user", Map.of("session", session), from, to);
            assertThat(both.series()).hasSize(1);
            assertThat(both.series().get(0).group()).containsEntry("user", user).containsEntry("session", session);
            assertThat(both.series().get(0).points().get(0).value()).isEqualTo(2);
            assertThat(value("request_count", "feature", Map.of("feature", feature), from, to))
                    .isEqualTo(2);
            // tokens per session: the children's 240 tokens are in the root's session (before: a session of 0 tokens)
            MetricSeries perSession = metric("tokens_per_session", "feature", Map.of("feature", feature), from, to);
            assertThat(perSession.series()).hasSize(1);
            assertThat(perSession.series().get(0).points().get(0).value()).isEqualTo(240);
            assertThat(perSession.series().get(0).points().get(0).sampleSize()).isEqualTo(1);
            // the spans themselves keep what they were sent with
            assertThat(trace(traceId))
                    .filteredOn(s -> s.kind() == SpanKind.LLM)
                    .allSatisfy(s -> assertThat(s.userId()).isNull())
                    .allSatisfy(s -> assertThat(s.sessionId()).isNull());
            assertSessionRollupsHoldEverySpanOnce();
        }

        void assertRedeliveryAddsNothing() {
            send(sent);
            // a marker after the redelivered records, on the same partition (same key): once it is stored, so are they
            SpanRecord marker = withIds(
                    span(
                            traceId,
                            SpanKind.OTHER,
                            null,
                            null,
                            start.plusMillis(50),
                            Outcome.SUCCESS,
                            "0",
                            null,
                            null,
                            null,
                            null),
                    TestSpans.randomHex(16),
                    rootId);
            send(List.of(marker));
            awaitSpans(traceId, 4);
            Instant from = DAY;
            Instant to = DAY.plus(Duration.ofDays(1));
            assertThat(value("request_count", "user", Map.of("user", user), from, to))
                    .isEqualTo(2);
            assertThat(value("cost_usd", "session", Map.of("session", session), from, to))
                    .isEqualTo(0.02);
            assertThat(value("request_count", "session", Map.of("session", session), from, to))
                    .isEqualTo(2);
            Row spans = one(
                    "select count(*) as n from " + SpanAttribution.FROM + " where spans.project_id = $1 and "
                            + SpanAttribution.SESSION + " = $2",
                    session);
            assertThat(spans.getLong("n")).isEqualTo(4);
            Row rollup = one(
                    "select sum(span_count) as n from telemetry.session_rollup_1d where project_id = $1 "
                            + "and session_id = $2",
                    session);
            assertThat(rollup.getLong("n")).isEqualTo(4);
            assertSessionRollupsHoldEverySpanOnce();
        }
    }

    /** Every stored span of the project is in the session rollups exactly once, whatever moved. */
    private void assertSessionRollupsHoldEverySpanOnce() {
        Row raw = one(
                "select count(*) as n, coalesce(sum(cost_usd), 0) as cost from telemetry.spans "
                        + "where project_id = $1 and $2::text is null",
                null);
        for (String g : List.of("1h", "1d")) {
            Row r = one(
                    "select coalesce(sum(span_count), 0) as n, coalesce(sum(cost_usd), 0) as cost from "
                            + "telemetry.session_rollup_" + g + " where project_id = $1 and $2::text is null",
                    null);
            assertThat(r.getLong("n")).as(g).isEqualTo(raw.getLong("n"));
            assertThat(r.getBigDecimal("cost")).as(g).isEqualByComparingTo(raw.getBigDecimal("cost"));
        }
        Row moved = one(
                "select count(*) as n from telemetry.session_rollup_1h where project_id = $1 "
                        + "and (span_count < 0 or cost_usd < 0) and $2::text is null",
                null);
        assertThat(moved.getLong("n")).isZero();
    }

    /** Each stored span of the trace, by id, with its row version (the transaction that wrote it, and where). */
    private Map<String, String> rowVersions(String traceId) {
        Map<String, String> versions = new LinkedHashMap<>();
        pool.preparedQuery("select span_id, xmin::text || ' ' || ctid::text as v from telemetry.spans "
                        + "where project_id = $1 and trace_id = $2")
                .execute(Tuple.of(projectB, traceId))
                .await()
                .indefinitely()
                .forEach(r -> versions.put(r.getString("span_id"), r.getString("v")));
        return versions;
    }

    private Row one(String sql, String arg) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(projectB, arg))
                .await()
                .indefinitely()
                .iterator()
                .next();
    }

    private Double value(String metric, String groupBy, Map<String, String> filters, Instant from, Instant to) {
        MetricSeries m = metric(metric, groupBy, filters, from, to);
        assertThat(m.series()).as(metric + " " + groupBy + " " + filters).hasSize(1);
        return m.series().get(0).points().get(0).value();
    }

    private MetricSeries metric(String metric, String groupBy, Map<String, String> filters, Instant from, Instant to) {
        return metric(metric, groupBy, filters, from, to, null);
    }

    private MetricSeries metric(
            String metric, String groupBy, Map<String, String> filters, Instant from, Instant to, String bucket) {
        var request = given().auth()
                .oauth2(keyB)
                .queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .queryParam("groupBy", groupBy);
        if (bucket != null) {
            request = request.queryParam("bucket", bucket);
        }
        for (Map.Entry<String, String> f : new LinkedHashMap<>(filters).entrySet()) {
            request = request.queryParam(f.getKey(), f.getValue());
        }
        return request.when()
                .get("/v1/metrics/" + metric)
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class);
    }

    private List<SpanRecord> trace(String traceId) {
        return given().auth()
                .oauth2(keyB)
                .when()
                .get("/v1/traces/" + traceId)
                .then()
                .statusCode(200)
                .extract()
                .as(TraceView.class)
                .spans();
    }

    private void awaitSpans(String traceId, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var response = given().auth().oauth2(keyB).when().get("/v1/traces/" + traceId);
            return response.statusCode() == 200
                    && response.as(TraceView.class).spans().size() == count;
        });
    }

    private static void send(List<SpanRecord> spans) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (SpanRecord s : spans) {
                records.add(new ProducerRecord<>(Topics.SPANS, s.traceId(), EventJson.encode(s)));
            }
            kafka.produceStrings().fromRecords(records).awaitCompletion();
        }
    }

    private SpanRecord span(
            String traceId,
            SpanKind kind,
            String model,
            String requestModel,
            Instant start,
            Outcome status,
            String cost,
            String feature,
            String user,
            String session,
            Long cacheWrite) {
        return new SpanRecord(
                SchemaVersions.CURRENT,
                projectB,
                traceId,
                TestSpans.randomHex(16),
                null,
                kind,
                kind + " span",
                model == null ? null : "openai",
                model,
                requestModel,
                start,
                start.plusMillis(400),
                400L,
                null,
                kind == SpanKind.LLM ? 100L : null,
                kind == SpanKind.LLM ? 20L : null,
                null,
                cacheWrite,
                null,
                new BigDecimal(cost),
                null,
                null,
                false,
                Map.of(),
                null,
                null,
                status,
                status == Outcome.ERROR ? "timeout" : null,
                null,
                feature,
                session,
                user,
                null,
                null,
                null,
                null,
                Map.of(),
                Map.of(),
                start.plusSeconds(1));
    }

    private static SpanRecord withIds(SpanRecord s, String spanId, String parentSpanId) {
        return new SpanRecord(
                s.schemaVersion(),
                s.projectId(),
                s.traceId(),
                spanId,
                parentSpanId,
                s.kind(),
                s.name(),
                s.provider(),
                s.model(),
                s.requestModel(),
                s.startTime(),
                s.endTime(),
                s.latencyMs(),
                s.timeToFirstTokenMs(),
                s.inputTokens(),
                s.outputTokens(),
                s.cachedInputTokens(),
                s.cacheWriteInputTokens(),
                s.reasoningTokens(),
                s.costUsd(),
                s.prompt(),
                s.completion(),
                s.truncated(),
                s.redactions(),
                s.parsedOutput(),
                s.parseError(),
                s.status(),
                s.errorType(),
                s.errorMessage(),
                s.feature(),
                s.sessionId(),
                s.userId(),
                s.decisionId(),
                s.toolName(),
                s.toolArguments(),
                s.toolResult(),
                s.metadata(),
                s.attributes(),
                s.receivedAt());
    }
}
