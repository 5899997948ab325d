package dev.loupe.aggregator.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Span metrics against answers computed here from the fixture itself (or by PostgreSQL's exact
 * {@code percentile_cont} over the stored rows), through the real broker, consumer and query API.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SpanMetricsTest {
    static final Instant START = Instant.parse("2026-10-01T00:00:00Z");
    /** Not aligned to hours or days, so the answer is assembled from minute, hour and day rollups. */
    static final Instant FROM = Instant.parse("2026-10-01T00:37:00Z");

    static final Instant TO = Instant.parse("2026-10-02T22:13:00Z");
    static List<MetricFixture.Trace> traces;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String keyA;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String keyB;

    @Inject
    Pool pool;

    @Inject
    MetricService metrics;

    @BeforeEach
    void sendFixtureOnce() {
        if (traces != null) {
            return;
        }
        traces = MetricFixture.traces(projectA, START, Duration.ofHours(48), 600, 42);
        send(allSpans());
        long llmSpans =
                allSpans().stream().filter(s -> s.kind() == SpanKind.LLM).count();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> total("request_count", START, START.plus(Duration.ofDays(3))) == llmSpans);
    }

    @Test
    void costPerFeatureEqualsADirectSumOverTheFixture() {
        Map<String, BigDecimal> expected = new HashMap<>();
        for (MetricFixture.Trace trace : traces) {
            for (SpanRecord s : trace.spans()) {
                if (s.costUsd() != null && inRange(s)) {
                    expected.merge(trace.feature(), s.costUsd(), BigDecimal::add);
                }
            }
        }
        Map<String, Double> actual = byGroup("cost_usd", "feature", FROM, TO);

        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((feature, cost) ->
                assertThat(actual.get(feature)).as(feature).isCloseTo(cost.doubleValue(), within(1e-9)));
    }

    @Test
    void hourlyPointsAddUpToTheWholeRange() {
        var series = given().auth()
                .oauth2(keyA)
                .queryParam("from", "2026-10-01T00:00:00Z")
                .queryParam("to", "2026-10-03T00:00:00Z")
                .queryParam("bucket", "1h")
                .queryParam("groupBy", "model")
                .when()
                .get("/v1/metrics/cost_usd")
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class);
        Map<String, Double> whole = byGroup(
                "cost_usd", "model", Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-10-03T00:00:00Z"));

        assertThat(series.bucket()).isEqualTo("1h");
        for (MetricSeries.Series s : series.series()) {
            double sum =
                    s.points().stream().mapToDouble(MetricSeries.Point::value).sum();
            assertThat(sum).isCloseTo(whole.get(s.group().get("model")), within(1e-9));
            assertThat(s.points())
                    .allSatisfy(p -> assertThat(p.t().atOffset(ZoneOffset.UTC).getMinute())
                            .isZero());
        }
    }

    @Test
    void latencyPercentilesPerModelAreWithinOnePercentOfPercentileCont() {
        Map<String, double[]> exact = new HashMap<>();
        for (Row r : pool.preparedQuery("""
                        select model, percentile_cont(array[0.5, 0.95, 0.99]) within group (order by latency_ms) as q
                        from telemetry.spans where project_id = $1 and kind = 'LLM' and start_time >= $2 and start_time < $3
                        group by model""")
                .execute(Tuple.of(projectA, FROM.atOffset(ZoneOffset.UTC), TO.atOffset(ZoneOffset.UTC)))
                .await()
                .indefinitely()) {
            Double[] q = r.getArrayOfDoubles("q");
            exact.put(r.getString("model"), new double[] {q[0], q[1], q[2]});
        }
        String[] metrics = {"latency_p50_ms", "latency_p95_ms", "latency_p99_ms"};
        assertThat(exact).hasSize(MetricFixture.MODELS.length);
        for (int i = 0; i < metrics.length; i++) {
            Map<String, Double> sketched = byGroup(metrics[i], "model", FROM, TO);
            for (String model : exact.keySet()) {
                double want = exact.get(model)[i];
                assertThat(sketched.get(model)).as(metrics[i] + " " + model).isCloseTo(want, within(want * 0.01));
            }
        }
    }

    @Test
    void errorRateByTypeSplitsTheErrorRateOfEachFeature() {
        Map<String, long[]> counts = new HashMap<>();
        for (MetricFixture.Trace trace : traces) {
            for (SpanRecord s : trace.spans()) {
                if (s.kind() == SpanKind.LLM && inRange(s)) {
                    long[] c = counts.computeIfAbsent(trace.feature(), k -> new long[3]);
                    c[0]++;
                    c[1] += "rate_limit".equals(s.errorType()) ? 1 : 0;
                    c[2] += "timeout".equals(s.errorType()) ? 1 : 0;
                }
            }
        }
        var series = query("error_rate", "feature,errorType", FROM, TO);
        for (MetricSeries.Series s : series.series()) {
            long[] c = counts.get(s.group().get("feature"));
            MetricSeries.Point p = s.points().get(0);
            long expected = switch (String.valueOf(s.group().get("errorType"))) {
                case "rate_limit" -> c[1];
                case "timeout" -> c[2];
                default -> 0;
            };
            assertThat(p.sampleSize()).isEqualTo(c[0]);
            assertThat(p.value()).as(s.group().toString()).isCloseTo((double) expected / c[0], within(1e-12));
        }
    }

    @Test
    void toolErrorRateAndParseFailureRateFollowTheFixture() {
        Map<String, long[]> tools = new HashMap<>();
        long structured = 0;
        long failed = 0;
        for (MetricFixture.Trace trace : traces) {
            for (SpanRecord s : trace.spans()) {
                if (!inRange(s)) {
                    continue;
                }
                if (s.kind() == SpanKind.TOOL) {
                    long[] c = tools.computeIfAbsent(s.toolName(), k -> new long[2]);
                    c[0]++;
                    c[1] += s.status() == Outcome.ERROR ? 1 : 0;
                }
                if (s.parsedOutput() != null || s.parseError() != null) {
                    structured++;
                    failed += s.parseError() != null ? 1 : 0;
                }
            }
        }
        Map<String, Double> toolRates = byGroup("tool_error_rate", "tool", FROM, TO);
        tools.forEach(
                (tool, c) -> assertThat(toolRates.get(tool)).as(tool).isCloseTo((double) c[1] / c[0], within(1e-12)));
        Map<String, Double> parse = byGroup("parse_failure_rate", "feature", FROM, TO);
        assertThat(parse).containsOnlyKeys("classify");
        assertThat(parse.get("classify")).isCloseTo((double) failed / structured, within(1e-12));
    }

    @Test
    void dailySpendAccumulatesThroughEachUtcDay() {
        Instant day = Instant.parse("2026-10-02T00:00:00Z");
        var series = given().auth()
                .oauth2(keyA)
                .queryParam("from", day.plusSeconds(6 * 3600).toString())
                .queryParam("to", day.plusSeconds(12 * 3600).toString())
                .queryParam("bucket", "1h")
                .when()
                .get("/v1/metrics/daily_spend_usd")
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class);

        List<MetricSeries.Point> points = series.series().get(0).points();
        assertThat(points).isNotEmpty();
        for (MetricSeries.Point p : points) {
            BigDecimal expected = BigDecimal.ZERO;
            for (SpanRecord s : allSpans()) {
                if (s.costUsd() != null
                        && !s.startTime().isBefore(day)
                        && s.startTime().isBefore(p.t().plusSeconds(3600))) {
                    expected = expected.add(s.costUsd());
                }
            }
            assertThat(p.t()).isBetween(day.plusSeconds(6 * 3600), day.plusSeconds(11 * 3600));
            assertThat(p.value()).as(p.t().toString()).isCloseTo(expected.doubleValue(), within(1e-9));
        }
    }

    @Test
    void tokensTruncationAndTokensPerSessionFollowTheFixture() {
        long input = 0;
        long output = 0;
        long llm = 0;
        long truncated = 0;
        Map<String, Long> perSession = new HashMap<>();
        for (SpanRecord s : allSpans()) {
            if (!inRange(s)) {
                continue;
            }
            input += s.inputTokens() == null ? 0 : s.inputTokens();
            output += s.outputTokens() == null ? 0 : s.outputTokens();
            perSession.merge(
                    s.sessionId(),
                    (s.inputTokens() == null ? 0 : s.inputTokens()) + (s.outputTokens() == null ? 0 : s.outputTokens()),
                    Long::sum);
            if (s.kind() == SpanKind.LLM) {
                llm++;
                truncated += s.status() == Outcome.TRUNCATED ? 1 : 0;
            }
        }
        assertThat(query("input_tokens", "", FROM, TO)
                        .series()
                        .get(0)
                        .points()
                        .get(0)
                        .value())
                .isEqualTo(input);
        assertThat(query("output_tokens", "", FROM, TO)
                        .series()
                        .get(0)
                        .points()
                        .get(0)
                        .value())
                .isEqualTo(output);
        MetricSeries.Point truncation =
                query("truncation_rate", "", FROM, TO).series().get(0).points().get(0);
        assertThat(truncation.value()).isCloseTo((double) truncated / llm, within(1e-12));

        MetricSeries.Point sessions = query("tokens_per_session", "", FROM, TO)
                .series()
                .get(0)
                .points()
                .get(0);
        List<Long> totals = perSession.values().stream().sorted().toList();
        double mean = totals.stream().mapToLong(Long::longValue).average().orElseThrow();
        double position = 0.5 * (totals.size() - 1);
        int lower = (int) Math.floor(position);
        double median =
                totals.get(lower) + (position - lower) * (totals.get((int) Math.ceil(position)) - totals.get(lower));
        assertThat(sessions.sampleSize()).isEqualTo(perSession.size());
        assertThat(sessions.value()).isCloseTo(mean, within(1e-6));
        assertThat(sessions.quantiles().get("p50")).isCloseTo(median, within(1e-6));
    }

    @Test
    void tokensPerSessionOverallAndPerFeatureFromOneScanAgreeWithTheFixtureAndWithOneQueryEach() {
        Map<String, Map<String, Long>> perFeature = new HashMap<>();
        Map<String, Long> overall = new HashMap<>();
        for (MetricFixture.Trace trace : traces) {
            for (SpanRecord s : trace.spans()) {
                if (!inRange(s)) {
                    continue;
                }
                long tokens = (s.inputTokens() == null ? 0 : s.inputTokens())
                        + (s.outputTokens() == null ? 0 : s.outputTokens());
                perFeature
                        .computeIfAbsent(trace.feature(), f -> new HashMap<>())
                        .merge(s.sessionId(), tokens, Long::sum);
                overall.merge(s.sessionId(), tokens, Long::sum);
            }
        }
        MetricRequest request =
                new MetricRequest(projectA, Metric.TOKENS_PER_SESSION, FROM, TO, List.of(), Optional.empty(), Map.of());

        List<MetricSeries> both = metrics.queryEach(request, List.of(List.of(), List.of("feature")), 100)
                .await()
                .atMost(Duration.ofSeconds(30));

        MetricSeries.Point all = both.get(0).series().get(0).points().get(0);
        assertThat(both.get(0).series()).hasSize(1);
        assertThat(all.sampleSize()).isEqualTo(overall.size());
        assertThat(all.value()).isCloseTo(mean(overall), within(1e-6));
        assertThat(both.get(1).groupBy()).containsExactly("feature");
        assertThat(both.get(1).series()).hasSize(perFeature.size());
        for (MetricSeries.Series series : both.get(1).series()) {
            Map<String, Long> sessions = perFeature.get(series.group().get("feature"));
            MetricSeries.Point p = series.points().get(0);
            assertThat(p.sampleSize()).as(series.group().toString()).isEqualTo(sessions.size());
            assertThat(p.value()).as(series.group().toString()).isCloseTo(mean(sessions), within(1e-6));
        }
        assertThat(EventJson.encode(both.get(0)))
                .isEqualTo(EventJson.encode(query("tokens_per_session", "", FROM, TO)));
        assertThat(EventJson.encode(both.get(1)))
                .isEqualTo(EventJson.encode(query("tokens_per_session", "feature", FROM, TO)));
    }

    /** The mean of the per-session totals. */
    private static double mean(Map<String, Long> perSession) {
        return perSession.values().stream().mapToLong(Long::longValue).average().orElseThrow();
    }

    @Test
    void redeliveredSpansChangeNoRollupAndNoAnswer() {
        String before = rollupTotals();
        MetricSeries answerBefore = query("cost_usd", "feature,model", FROM, TO);
        double duplicatesBefore = duplicates();

        List<SpanRecord> spans = allSpans();
        send(spans);
        await().atMost(Duration.ofSeconds(60)).until(() -> duplicates() >= duplicatesBefore + spans.size());

        assertThat(rollupTotals()).isEqualTo(before);
        assertThat(EventJson.encode(query("cost_usd", "feature,model", FROM, TO)))
                .isEqualTo(EventJson.encode(answerBefore));
    }

    @Test
    void hoursLateSpanLandsInItsOwnBucket() {
        Instant late = Instant.parse("2026-10-05T03:17:42Z");
        SpanRecord span = MetricFixture.traces(projectA, late, Duration.ofMillis(1), 1, 7).get(0).spans().stream()
                .filter(s -> s.kind() == SpanKind.LLM)
                .findFirst()
                .orElseThrow();
        send(List.of(span));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> total("request_count", late.minusSeconds(3600), late.plusSeconds(3600)) == 1);
        var series = given().auth()
                .oauth2(keyA)
                .queryParam("from", "2026-10-05T00:00:00Z")
                .queryParam("to", "2026-10-05T06:00:00Z")
                .queryParam("bucket", "1h")
                .when()
                .get("/v1/metrics/request_count")
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class);
        assertThat(series.series().get(0).points())
                .singleElement()
                .satisfies(p -> assertThat(p.t()).isEqualTo(Instant.parse("2026-10-05T03:00:00Z")));
    }

    @Test
    void anotherProjectsKeySeesNoneOfIt() {
        for (String metric :
                List.of("cost_usd", "request_count", "latency_p95_ms", "error_rate", "tokens_per_session")) {
            given().auth()
                    .oauth2(keyB)
                    .queryParam("from", START.toString())
                    .queryParam("to", START.plus(Duration.ofDays(3)).toString())
                    .queryParam("groupBy", "feature")
                    .when()
                    .get("/v1/metrics/" + metric)
                    .then()
                    .statusCode(200)
                    .body("series.size()", equalTo(0));
        }
        given().auth()
                .oauth2(keyB)
                .queryParam("from", START.toString())
                .queryParam("to", START.plus(Duration.ofDays(3)).toString())
                .queryParam("groupBy", "user")
                .when()
                .get("/v1/metrics/cost_usd")
                .then()
                .statusCode(200)
                .body("series.size()", equalTo(0));
    }

    @Test
    void sumsPerSessionFollowTheFixtureAcrossDayHourAndMinuteEdges() {
        // FROM and TO cut days, hours and minutes: day and hour session rollups plus raw spans at the edges
        for (String metric : List.of("cost_usd", "input_tokens", "output_tokens", "request_count")) {
            Map<String, Double> expected = perSession(metric, FROM, TO);
            Map<String, Double> actual = byGroup(metric, "session", FROM, TO);
            assertThat(actual.keySet()).as(metric).containsExactlyInAnyOrderElementsOf(expected.keySet());
            expected.forEach((session, value) ->
                    assertThat(actual.get(session)).as(metric + " " + session).isCloseTo(value, within(1e-9)));
        }
    }

    @Test
    void sumsPerSessionCutTheRangeAtItsSecondsLikeTheRawPath() {
        // from just after one LLM call and to exactly at another: rounding either edge to its minute would count them
        List<Instant> calls = allSpans().stream()
                .filter(x -> x.kind() == SpanKind.LLM)
                .map(SpanRecord::startTime)
                .sorted()
                .toList();
        Instant from = calls.get(10).plusMillis(1);
        Instant to = calls.get(calls.size() - 10);
        Map<String, Double> expected = perSession("input_tokens", from, to);
        Map<String, Double> actual = byGroup("input_tokens", "session", from, to);
        assertThat(actual).containsOnlyKeys(expected.keySet());
        expected.forEach(
                (session, value) -> assertThat(actual.get(session)).as(session).isEqualTo(value));
    }

    @Test
    void topSessionsByTokensAreRankedBeforeTheLimit() {
        Map<String, Double> expected = perSession("input_tokens", FROM, TO);
        List<String> top5 = expected.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(5)
                .map(Map.Entry::getKey)
                .toList();

        var series = given().auth()
                .oauth2(keyA)
                .queryParam("from", FROM.toString())
                .queryParam("to", TO.toString())
                .queryParam("groupBy", "session")
                .queryParam("limit", 5)
                .when()
                .get("/v1/metrics/input_tokens")
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class)
                .series();

        assertThat(series).extracting(s -> s.group().get("session")).containsExactlyElementsOf(top5);
        assertThat(series.get(0).points().get(0).value()).isEqualTo(expected.get(top5.get(0)));
    }

    @Test
    void hourlyPointsPerSessionAndASessionFilterFollowTheFixture() {
        Instant from = Instant.parse("2026-10-01T20:00:00Z");
        Instant to = Instant.parse("2026-10-02T04:00:00Z");
        var series = given().auth()
                .oauth2(keyA)
                .queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .queryParam("groupBy", "session")
                .queryParam("bucket", "1h")
                .queryParam("limit", 1000)
                .when()
                .get("/v1/metrics/cost_usd")
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class)
                .series();
        Map<String, Double> expected = perSession("cost_usd", from, to);
        assertThat(series).hasSize(expected.size());
        assertThat(series.stream().mapToInt(s -> s.points().size()).sum()).isGreaterThan(series.size());
        for (MetricSeries.Series s : series) {
            String session = s.group().get("session");
            assertThat(s.points())
                    .allSatisfy(p -> assertThat(p.t().atOffset(ZoneOffset.UTC).getMinute())
                            .isZero());
            MetricSeries.Point first = s.points().get(0);
            assertThat(first.value())
                    .as(session + " at " + first.t())
                    .isCloseTo(
                            perSession("cost_usd", first.t(), first.t().plusSeconds(3600))
                                    .get(session),
                            within(1e-9));
            assertThat(s.points().stream()
                            .mapToDouble(MetricSeries.Point::value)
                            .sum())
                    .as(session)
                    .isCloseTo(expected.get(session), within(1e-9));
        }

        var filtered = given().auth()
                .oauth2(keyA)
                .queryParam("from", FROM.toString())
                .queryParam("to", TO.toString())
                .queryParam("session", "s-3")
                .when()
                .get("/v1/metrics/output_tokens")
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class)
                .series();
        assertThat(filtered)
                .singleElement()
                .satisfies(s -> assertThat(s.points().get(0).value())
                        .isEqualTo(perSession("output_tokens", FROM, TO).get("s-3")));
        given().auth()
                .oauth2(keyA)
                .queryParam("from", FROM.toString())
                .queryParam("to", TO.toString())
                .queryParam("session", "no-such-session")
                .when()
                .get("/v1/metrics/output_tokens")
                .then()
                .statusCode(200)
                .body("series.size()", equalTo(0));
    }

    @Test
    void sessionRollupsHoldEveryStoredSpanOnce() {
        Row raw = pool.preparedQuery("select count(*) as n, sum(cost_usd) as cost, sum(input_tokens) as tokens "
                        + "from telemetry.spans where project_id = $1")
                .execute(Tuple.of(projectA))
                .await()
                .indefinitely()
                .iterator()
                .next();
        for (String g : List.of("1h", "1d")) {
            Row r = pool.preparedQuery(
                            "select sum(span_count) as n, sum(cost_usd) as cost, sum(input_tokens) as tokens "
                                    + "from telemetry.session_rollup_" + g + " where project_id = $1")
                    .execute(Tuple.of(projectA))
                    .await()
                    .indefinitely()
                    .iterator()
                    .next();
            assertThat(r.getLong("n")).as(g).isEqualTo(raw.getLong("n"));
            assertThat(r.getBigDecimal("cost")).as(g).isEqualByComparingTo(raw.getBigDecimal("cost"));
            assertThat(r.getLong("tokens")).as(g).isEqualTo(raw.getLong("tokens"));
        }
    }

    @Test
    void theMigrationsBackfillOfOlderSpansEqualsWhatTheConsumerWrote() throws Exception {
        // V6 counts the spans stored before it into the session rollups: run its two inserts into scratch copies
        String migration;
        try (var in = getClass().getResourceAsStream("/db/telemetry/V6__session_rollups.sql")) {
            migration = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        List<String> inserts = java.util.Arrays.stream(migration.split(";"))
                .map(statement -> statement.substring(
                        statement.indexOf("insert into") < 0 ? 0 : statement.indexOf("insert into")))
                .filter(statement -> statement.startsWith("insert into telemetry.session_rollup_"))
                .map(statement -> statement.replace("telemetry.session_rollup_", "pg_temp.backfill_"))
                .toList();
        assertThat(inserts).hasSize(2);
        long differences = pool.withConnection(c -> c.query(
                                "create temp table backfill_1h (like telemetry.session_rollup_1h "
                                        + "including all); create temp table backfill_1d (like telemetry.session_rollup_1d including all)")
                        .execute()
                        .chain(() -> c.query(inserts.get(0)).execute())
                        .chain(() -> c.query(inserts.get(1)).execute())
                        .chain(() -> c.preparedQuery("""
                        select (select count(*) from ((select * from backfill_1h where project_id = $1
                                    except select * from telemetry.session_rollup_1h where project_id = $1)
                                union all (select * from telemetry.session_rollup_1h where project_id = $1
                                    except select * from backfill_1h where project_id = $1)) x)
                             + (select count(*) from ((select * from backfill_1d where project_id = $1
                                    except select * from telemetry.session_rollup_1d where project_id = $1)
                                union all (select * from telemetry.session_rollup_1d where project_id = $1
                                    except select * from backfill_1d where project_id = $1)) y) as n""").execute(Tuple.of(projectA)))
                        .map(rows -> rows.iterator().next().getLong("n"))
                        .call(() ->
                                c.query("drop table backfill_1h, backfill_1d").execute()))
                .await()
                .indefinitely();
        assertThat(differences).isZero();
        assertThat(pool.preparedQuery("select count(*) as n from telemetry.session_rollup_1h where project_id = $1")
                        .execute(Tuple.of(projectA))
                        .await()
                        .indefinitely()
                        .iterator()
                        .next()
                        .getLong("n"))
                .isPositive();
    }

    /** The metric per session over [from, to), computed from the fixture. */
    private Map<String, Double> perSession(String metric, Instant from, Instant to) {
        Map<String, BigDecimal> sums = new HashMap<>();
        for (SpanRecord s : allSpans()) {
            if (s.startTime().isBefore(from) || !s.startTime().isBefore(to)) {
                continue;
            }
            BigDecimal value = switch (metric) {
                case "cost_usd" -> s.costUsd() == null ? BigDecimal.ZERO : s.costUsd();
                case "input_tokens" -> BigDecimal.valueOf(s.inputTokens() == null ? 0 : s.inputTokens());
                case "output_tokens" -> BigDecimal.valueOf(s.outputTokens() == null ? 0 : s.outputTokens());
                case "request_count" -> s.kind() == SpanKind.LLM ? BigDecimal.ONE : BigDecimal.ZERO;
                default -> throw new IllegalArgumentException(metric);
            };
            sums.merge(s.sessionId(), value, BigDecimal::add);
        }
        Map<String, Double> out = new HashMap<>();
        sums.forEach((session, sum) -> out.put(session, sum.doubleValue()));
        return out;
    }

    @Test
    void mistakesAreProblemsNamingTheParameter() {
        given().auth()
                .oauth2(keyA)
                .when()
                .get("/v1/metrics/nonsense")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("metric"));
        given().auth()
                .oauth2(keyA)
                .queryParam("groupBy", "colour")
                .when()
                .get("/v1/metrics/cost_usd")
                .then()
                .statusCode(400)
                .body("field", equalTo("groupBy"));
        given().auth()
                .oauth2(keyA)
                .queryParam("from", "yesterday")
                .when()
                .get("/v1/metrics/cost_usd")
                .then()
                .statusCode(400)
                .body("field", equalTo("from"));
        given().auth()
                .oauth2(keyA)
                .queryParam("bucket", "5m")
                .when()
                .get("/v1/metrics/cost_usd")
                .then()
                .statusCode(400)
                .body("field", equalTo("bucket"));
        given().auth()
                .oauth2(keyA)
                .queryParam("from", "2026-01-01T00:00:00Z")
                .queryParam("to", "2026-03-01T00:00:00Z")
                .queryParam("bucket", "1m")
                .when()
                .get("/v1/metrics/cost_usd")
                .then()
                .statusCode(400)
                .body("field", equalTo("to"));
        given().auth()
                .oauth2(keyA)
                .queryParam("colour", "red")
                .when()
                .get("/v1/metrics/cost_usd")
                .then()
                .statusCode(400)
                .body("field", equalTo("colour"));
        given().auth()
                .oauth2(keyA)
                .queryParam("groupBy", "user")
                .when()
                .get("/v1/metrics/latency_p95_ms")
                .then()
                .statusCode(400)
                .body("field", equalTo("groupBy"));
        given().when().get("/v1/metrics/cost_usd").then().statusCode(401);
    }

    @Test
    void prometheusShowsTheAiMetricsAndOwnHealthWithoutHighCardinalityLabels() throws java.io.IOException {
        String metrics = given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        java.nio.file.Files.writeString(java.nio.file.Path.of("target/metrics-sample.txt"), metrics);

        assertThat(metrics)
                .contains("loupe_ai_cost_usd_total{feature=\"support-rag\",model=\"gpt-4o\"}")
                .contains("loupe_ai_operation_duration_seconds_bucket{model=\"gpt-4o\",le=\"0.16\"}")
                .contains("loupe_ai_token_usage_tokens_bucket{model=\"gpt-4o\",type=\"input\",le=\"1024.0\"}")
                .contains("loupe_aggregator_batch_size_records_count{topic=\"loupe.spans.v1\"}")
                .contains("loupe_aggregator_batch_write_seconds_count{topic=\"loupe.spans.v1\"}")
                .contains("kafka_consumer_fetch_manager_records_lag");
        for (String line : metrics.split("\n")) {
            if (line.startsWith("loupe_")) {
                assertThat(line)
                        .doesNotContain("trace")
                        .doesNotContain("session")
                        .doesNotContain("user_id");
            }
        }
    }

    @Test
    void everyStatementIsPlannedWithCurrentStatistics() {
        assertThat(pool.query("show plan_cache_mode")
                        .execute()
                        .await()
                        .indefinitely()
                        .iterator()
                        .next()
                        .getString(0))
                .isEqualTo("force_custom_plan");
    }

    @Test
    void openApiDocumentsTheQueryEndpoints() {
        given().when()
                .get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .body("paths.'/v1/metrics/{metric}'.get.summary", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/v1/decisions'.get", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/v1/traces/{traceId}'.get", org.hamcrest.Matchers.notNullValue());
    }

    private List<SpanRecord> allSpans() {
        List<SpanRecord> spans = new ArrayList<>();
        traces.forEach(t -> spans.addAll(t.spans()));
        return spans;
    }

    private static boolean inRange(SpanRecord s) {
        return !s.startTime().isBefore(FROM) && s.startTime().isBefore(TO);
    }

    private MetricSeries query(String metric, String groupBy, Instant from, Instant to) {
        return given().auth()
                .oauth2(keyA)
                .queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .queryParam("groupBy", groupBy)
                .when()
                .get("/v1/metrics/" + metric)
                .then()
                .statusCode(200)
                .extract()
                .as(MetricSeries.class);
    }

    private Map<String, Double> byGroup(String metric, String dimension, Instant from, Instant to) {
        Map<String, Double> values = new HashMap<>();
        for (MetricSeries.Series s : query(metric, dimension, from, to).series()) {
            values.put(s.group().get(dimension), s.points().get(0).value());
        }
        return values;
    }

    private long total(String metric, Instant from, Instant to) {
        var series = query(metric, "", from, to).series();
        return series.isEmpty() ? 0 : Math.round(series.get(0).points().get(0).value());
    }

    private String rollupTotals() {
        StringBuilder totals = new StringBuilder();
        for (String g : List.of("1m", "1h", "1d")) {
            Row r = pool.preparedQuery("select count(*) as n, sum(span_count) as spans, sum(cost_usd) as cost, "
                            + "sum(latency_count) as latencies, sum(input_tokens) as tokens, string_agg(md5(latency_sketch), ',' "
                            + "order by bucket, kind, feature, model, status, error_type, tool_name) as sketches "
                            + "from telemetry.span_rollup_" + g + " where project_id = $1")
                    .execute(Tuple.of(projectA))
                    .await()
                    .indefinitely()
                    .iterator()
                    .next();
            totals.append(g)
                    .append(':')
                    .append(r.getLong("n"))
                    .append('/')
                    .append(r.getLong("spans"))
                    .append('/')
                    .append(r.getBigDecimal("cost"))
                    .append('/')
                    .append(r.getLong("latencies"))
                    .append('/')
                    .append(r.getLong("tokens"))
                    .append('/')
                    .append(r.getString("sketches").hashCode())
                    .append(' ');
        }
        for (String g : List.of("1h", "1d")) {
            Row r = pool.preparedQuery("select count(*) as n, sum(span_count) as spans, sum(llm_count) as llm, "
                            + "sum(cost_usd) as cost, sum(input_tokens) + sum(output_tokens) as tokens "
                            + "from telemetry.session_rollup_" + g + " where project_id = $1")
                    .execute(Tuple.of(projectA))
                    .await()
                    .indefinitely()
                    .iterator()
                    .next();
            totals.append("sessions ")
                    .append(g)
                    .append(':')
                    .append(r.getLong("n"))
                    .append('/')
                    .append(r.getLong("spans"))
                    .append('/')
                    .append(r.getLong("llm"))
                    .append('/')
                    .append(r.getBigDecimal("cost"))
                    .append('/')
                    .append(r.getLong("tokens"))
                    .append(' ');
        }
        return totals.toString();
    }

    private static double duplicates() {
        String metrics = given().when().get("/q/metrics").then().extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("loupe_aggregator_spans_duplicates_total")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
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
}
