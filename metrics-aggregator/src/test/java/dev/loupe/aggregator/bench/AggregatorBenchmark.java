package dev.loupe.aggregator.bench;

import dev.loupe.aggregator.rollup.Granularity;
import dev.loupe.aggregator.rollup.SessionRollupDelta;
import dev.loupe.aggregator.rollup.SpanFacts;
import dev.loupe.aggregator.rollup.SpanRollupDelta;
import dev.loupe.aggregator.rollup.SpanRollupKey;
import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.AlertState;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The metrics-aggregator benchmark (not a test: run with {@code -Pbenchmark}, see docs/benchmarks.md).
 * <ol>
 * <li>Writes: N realistic spans are produced to {@code loupe.spans.v1} while the consumer is paused; the
 * same rows are first COPY'd into {@code telemetry.spans} (then truncated), then the consumer is resumed
 * and timed until every span is committed with its rollups.</li>
 * <li>Dashboard queries: M spans spread over 30 days are generated in SQL ({@code generate_series}) with
 * their rollups (built by the aggregator's own rollup classes) and 1/10 as many evaluation results; the
 * three dashboard queries are then timed through the HTTP API.</li>
 * <li>Dashboard views (unless {@code -Dloupe.bench.views=false}): decisions, feedback and alerts are added to that data
 * set, then every view is opened at 24 h, 7 d and 30 d in headless Chromium ({@link ViewLoads}) and timed from
 * navigation start to {@code main#view[data-state=ready]}.</li>
 * </ol>
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(BenchNeighbours.class)
public class AggregatorBenchmark {
    static final int WRITE_SPANS = Integer.getInteger("loupe.bench.spans", 1_000_000);
    static final int HISTORY_SPANS = Integer.getInteger("loupe.bench.history-spans", 10_000_000);
    static final int QUERY_RUNS = Integer.getInteger("loupe.bench.query-runs", 50);
    static final int WARM_UP_SPANS = Integer.getInteger("loupe.bench.warm-up-spans", 200_000);
    /** The view-load part (headless Chromium over the query part's data set); -Dloupe.bench.views=false skips it. */
    static final boolean VIEWS = Boolean.parseBoolean(System.getProperty("loupe.bench.views", "true"));
    /** The trace explorer part (search, traces, sessions, users); -Dloupe.bench.explorer=false skips it. */
    static final boolean EXPLORER = Boolean.parseBoolean(System.getProperty("loupe.bench.explorer", "true"));
    /**
     * -Dloupe.bench.hold=true keeps the database (and the aggregator) up after the run until the file
     * {@code target/benchmarks/release} exists, to look at plans on the same data with psql.
     */
    static final boolean HOLD = Boolean.getBoolean("loupe.bench.hold");

    static final int VIEW_WARM_UPS = Integer.getInteger("loupe.bench.view-warm-ups", 3);
    static final int VIEW_RUNS = Integer.getInteger("loupe.bench.view-runs", 10);
    static final String[] VIEW_RANGES = {"24h", "7d", "30d"};
    static final String[][] VIEWS_SHOWN = {
        {"overview", "/"},
        {"cost", "/cost"},
        {"latency", "/latency"},
        {"errors", "/errors"},
        {"quality", "/quality"},
        {"feedback", "/feedback"},
        {"alerts", "/alerts"},
        {"decisions", "/decisions"}
    };
    static final String[] FEATURES = {"support-rag", "summarise", "classify", "agent", "search"};
    static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-sonnet", "llama-3-70b"};

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String historyProject;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String historyKey;

    @ConfigProperty(name = "loupe.test.project-b.id")
    String writeProject;

    @TestHTTPResource("/")
    URL base;

    @Inject
    KafkaClientService kafka;

    @Inject
    MeterRegistry registry;

    private final StringBuilder report = new StringBuilder();
    /** The history's 30 days, [historyStart, historyEnd). */
    private Instant historyStart;

    private Instant historyEnd;

    /** Seconds spent building the span search indexes after the history's rows. */
    private double searchIndexSeconds;

    /** The newest decision with feedback, whose page the views open (set by {@link #viewData}). */
    private String decisionId;

    @Test
    void run() throws Exception {
        log("# metrics-aggregator benchmark, %s%n", Instant.now());
        log(
                "Machine: %d cores, %s %s, %s, %d GiB; JVM %s, max heap %d MiB; PostgreSQL: %s%n%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                cpuModel(),
                memoryGiB(),
                System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20,
                scalar("select version()"));
        if (WRITE_SPANS > 0) {
            writes();
        }
        List<String> failedViews = new ArrayList<>();
        if (HISTORY_SPANS > 0) {
            dashboardQueries();
            if (VIEWS || EXPLORER) {
                viewData();
            }
            if (VIEWS) {
                failedViews.addAll(dashboardViews());
            }
            if (EXPLORER) {
                failedViews.addAll(explorer());
            }
        }
        Path out = Path.of("target/benchmarks/aggregator.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        hold();
        if (!failedViews.isEmpty()) {
            throw new IllegalStateException("views that did not load: " + failedViews);
        }
    }

    // ---------------------------------------------------------------- writes

    private void writes() throws Exception {
        log("## Writes: %,d spans, topic → committed rows and rollups, against COPY%n%n", WRITE_SPANS);
        warmUp();
        // every partition must be assigned before pausing, or a consumer assigned later would start at once
        while (spanConsumers().stream()
                        .mapToInt(c -> c.getAssignments().await().indefinitely().size())
                        .sum()
                < 3) {
            Thread.sleep(200);
        }
        spanConsumers().forEach(consumer -> consumer.pause().await().indefinitely());
        Instant base = Instant.parse("2026-11-20T00:00:00Z");
        List<SpanRecord> spans = spans(writeProject, base, WRITE_SPANS, new Random(1));
        long bytes = 0;
        long started = System.nanoTime();
        try (KafkaProducer<String, String> producer = producer()) {
            for (SpanRecord s : spans) {
                String json = EventJson.encode(s);
                bytes += json.length();
                producer.send(new ProducerRecord<>(Topics.SPANS, s.traceId(), json));
            }
            producer.flush();
        }
        log(
                "- produced to the topic (consumer paused): %.1f s, %,.0f records/s, mean record %d bytes%n",
                seconds(started), WRITE_SPANS / seconds(started), bytes / WRITE_SPANS);

        double copySeconds = copy(spans);
        log(
                "- raw `COPY telemetry.spans FROM STDIN (FORMAT csv)` of the same rows: %.1f s, **%,.0f rows/s**%n",
                copySeconds, WRITE_SPANS / copySeconds);
        try (Connection c = jdbc();
                Statement s = c.createStatement()) {
            s.execute("truncate telemetry.spans");
            s.execute("checkpoint");
        }
        spans.clear();

        double stored0 = stored();
        started = System.nanoTime();
        spanConsumers().forEach(consumer -> consumer.resume().await().indefinitely());
        double lastReport = 0;
        while (stored() - stored0 < WRITE_SPANS) {
            Thread.sleep(200);
            if (seconds(started) - lastReport >= 10) {
                lastReport = seconds(started);
                System.out.printf("  … %,.0f spans stored after %.0f s%n", stored() - stored0, lastReport);
            }
        }
        double pipelineSeconds = seconds(started);
        log(
                "- aggregator, topic → committed spans + 1m/1h/1d rollups + window marks: %.1f s, **%,.0f spans/s**%n",
                pipelineSeconds, WRITE_SPANS / pipelineSeconds);
        log("- ratio aggregator / COPY: **%.2f** (goal ≥ 0.50)%n", copySeconds / pipelineSeconds);
        log(
                "- check: rows %s, spans counted in the 1d rollups %s, batches %s (mean %.0f records)%n%n",
                scalar("select count(*) from telemetry.spans where project_id = '" + writeProject + "'"),
                scalar("select sum(span_count) from telemetry.span_rollup_1d where project_id = '" + writeProject
                        + "'"),
                registry.get("loupe.aggregator.batch.size").summary().count(),
                registry.get("loupe.aggregator.batch.size").summary().mean());
    }

    /** The consumer path's code is compiled by the JIT before the measured run, as in a service that has been up. */
    private void warmUp() throws Exception {
        int count = WARM_UP_SPANS;
        double before = stored();
        long started = System.nanoTime();
        try (KafkaProducer<String, String> producer = producer()) {
            for (SpanRecord s : spans(writeProject, Instant.parse("2026-11-19T00:00:00Z"), count, new Random(2))) {
                producer.send(new ProducerRecord<>(Topics.SPANS, s.traceId(), EventJson.encode(s)));
            }
        }
        while (stored() - before < count) {
            Thread.sleep(200);
        }
        try (Connection c = jdbc();
                Statement s = c.createStatement()) {
            s.execute("truncate telemetry.spans, telemetry.trace_features, telemetry.span_rollup_1m, "
                    + "telemetry.span_rollup_1h, telemetry.span_rollup_1d, telemetry.window_marks");
        }
        log("- warm-up (discarded): %,d spans through the consumer in %.1f s%n", count, seconds(started));
    }

    private double copy(List<SpanRecord> spans) throws Exception {
        StringBuilder csv = new StringBuilder(spans.size() * 1400);
        for (SpanRecord s : spans) {
            csvRow(csv, "bench-copy", s);
        }
        long started = System.nanoTime();
        try (Connection c = jdbc()) {
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "copy telemetry.spans (" + COPY_COLUMNS + ") from stdin (format csv)",
                            new StringReader(csv.toString()));
        }
        return seconds(started);
    }

    /** The columns {@link #csvRow} writes, in its order. */
    public static final String COPY_COLUMNS = "project_id, trace_id, span_id, parent_span_id, kind, name, provider, "
            + "model, start_time, end_time, latency_ms, input_tokens, output_tokens, cost_usd, prompt, completion, "
            + "truncated, redactions, status, error_type, feature, session_id, user_id, tool_name, metadata, attributes, "
            + "received_at, schema_version, rollup_feature, rollup_shard";

    /** One span as a CSV line of {@link #COPY_COLUMNS}, under {@code project}. */
    public static void csvRow(StringBuilder csv, String project, SpanRecord s) {
        Object[] values = {
            project,
            s.traceId(),
            s.spanId(),
            s.parentSpanId(),
            s.kind(),
            s.name(),
            s.provider(),
            s.model(),
            s.startTime(),
            s.endTime(),
            s.latencyMs(),
            s.inputTokens(),
            s.outputTokens(),
            s.costUsd(),
            s.prompt(),
            s.completion(),
            s.truncated(),
            EventJson.encode(s.redactions()),
            s.status(),
            s.errorType(),
            s.feature(),
            s.sessionId(),
            s.userId(),
            s.toolName(),
            EventJson.encode(s.metadata()),
            EventJson.encode(s.attributes()),
            s.receivedAt(),
            s.schemaVersion(),
            s.feature() == null ? "" : s.feature(),
            0
        };
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                csv.append(',');
            }
            if (values[i] != null) {
                csv.append('"')
                        .append(values[i].toString().replace("\"", "\"\""))
                        .append('"');
            }
        }
        csv.append('\n');
    }

    /** Traces of a root span (feature), an LLM call with a ~560-character prompt, and a tool call in half of them. */
    public static List<SpanRecord> spans(String project, Instant base, int count, Random random) {
        List<SpanRecord> spans = new ArrayList<>(count);
        String prompt = "You are a support assistant for ACME. Answer from the retrieved documents only. ".repeat(7);
        String completion =
                "Refunds are possible within 30 days of delivery; open the order page and choose Return. ".repeat(2);
        int trace = 0;
        while (spans.size() < count) {
            String traceId = String.format("%032x", ((long) random.nextInt() << 32) ^ trace++);
            String feature = FEATURES[random.nextInt(FEATURES.length)];
            String model = MODELS[random.nextInt(MODELS.length)];
            Instant t = base.plusMillis((long) spans.size() * 3_600_000L / count);
            long latency = Math.round(Math.exp(6.3 + random.nextGaussian() * 0.5));
            long in = 300 + random.nextInt(2000);
            long out = 50 + random.nextInt(500);
            double roll = random.nextDouble();
            Outcome status = roll < 0.03 ? Outcome.ERROR : roll < 0.05 ? Outcome.TRUNCATED : Outcome.SUCCESS;
            String root = String.format("%016x", random.nextLong());
            String session = "s-" + random.nextInt(5000);
            String user = HexFormat.of()
                    .formatHex(new byte[] {(byte) random.nextInt(), (byte) random.nextInt()})
                    .repeat(16);
            spans.add(span(
                    project,
                    traceId,
                    String.format("%016x", random.nextLong()),
                    root,
                    SpanKind.LLM,
                    "chat " + model,
                    null,
                    model,
                    t.plusMillis(3),
                    latency,
                    in,
                    out,
                    BigDecimal.valueOf(in * 25 + out * 100).movePointLeft(7).setScale(10, RoundingMode.UNNECESSARY),
                    prompt,
                    completion,
                    status,
                    status == Outcome.ERROR ? "rate_limit" : null,
                    null,
                    session,
                    user));
            if (spans.size() < count && random.nextBoolean()) {
                spans.add(span(
                        project,
                        traceId,
                        String.format("%016x", random.nextLong()),
                        root,
                        SpanKind.TOOL,
                        "tool search_docs",
                        null,
                        null,
                        t.plusMillis(latency + 5),
                        40,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Outcome.SUCCESS,
                        null,
                        "search_docs",
                        session,
                        user));
            }
            if (spans.size() < count) {
                spans.add(span(
                        project,
                        traceId,
                        root,
                        null,
                        SpanKind.CHAIN,
                        feature,
                        feature,
                        null,
                        t,
                        latency + 80,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Outcome.SUCCESS,
                        null,
                        null,
                        session,
                        user));
            }
        }
        return spans;
    }

    private static SpanRecord span(
            String project,
            String traceId,
            String spanId,
            String parent,
            SpanKind kind,
            String name,
            String feature,
            String model,
            Instant start,
            long latency,
            Long in,
            Long out,
            BigDecimal cost,
            String prompt,
            String completion,
            Outcome status,
            String errorType,
            String tool,
            String session,
            String user) {
        return new SpanRecord(
                SchemaVersions.CURRENT,
                project,
                traceId,
                spanId,
                parent,
                kind,
                name,
                model == null ? null : "openai",
                model,
                null,
                start,
                start.plusMillis(latency),
                latency,
                null,
                in,
                out,
                null,
                null,
                null,
                cost,
                prompt,
                completion,
                status == Outcome.TRUNCATED,
                Map.of(),
                null,
                null,
                status,
                errorType,
                null,
                feature,
                session,
                user,
                null,
                tool,
                null,
                null,
                Map.of("tier", "pro"),
                model == null
                        ? Map.of()
                        : Map.of("gen_ai.request.temperature", 0.2, "server.address", "api.openai.com"),
                start.plusSeconds(2));
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** The span channel's consumers: one per concurrent copy ({@code spans-in$1}…) or the channel's own. */
    private List<io.smallrye.reactive.messaging.kafka.KafkaConsumer<Object, Object>> spanConsumers() {
        List<io.smallrye.reactive.messaging.kafka.KafkaConsumer<Object, Object>> consumers =
                new ArrayList<>(kafka.getConsumers("spans-in"));
        for (int i = 1; i <= 8; i++) {
            consumers.addAll(kafka.getConsumers("spans-in$" + i));
        }
        return consumers;
    }

    private double stored() {
        var counter = registry.find("loupe.aggregator.spans.stored").counter();
        return counter == null ? 0 : counter.count(); // the consumer bean is created with its first batch
    }

    // ---------------------------------------------------------------- dashboard queries

    private void dashboardQueries() throws Exception {
        // the 30 days end at the second full hour after this point, so that the dashboard views (which ask for ranges
        // ending at the browser's real clock, some minutes later) find a window full of data, as on a live system
        Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(2));
        Instant start = end.minus(Duration.ofDays(30));
        historyStart = start;
        historyEnd = end;
        log("## Dashboard queries over %,d spans in 30 days (%s to %s)%n%n", HISTORY_SPANS, start, end);
        long started = System.nanoTime();
        generateHistory(start, end);
        log(
                "- generated the spans in SQL (generate_series; traces of two LLM calls with prompts and completions, "
                        + "sessions, users, `trace_features`): %.0f s, of which %.0f s building the two span search "
                        + "indexes afterwards (`maintenance_work_mem` 1 GB for that session)%n",
                seconds(started), searchIndexSeconds);
        started = System.nanoTime();
        long rollupRows = buildSpanRollups(start, end);
        log(
                "- built their rollups with the aggregator's rollup classes (%,d rows: spans at 1m/1h/1d, sessions at 1h/1d): "
                        + "%.0f s%n",
                rollupRows, seconds(started));
        started = System.nanoTime();
        generateEvals(start, end);
        log("- generated %,d evaluation results and their rollups: %.0f s%n", HISTORY_SPANS / 10, seconds(started));
        try (Connection c = jdbc();
                Statement s = c.createStatement()) {
            s.execute("vacuum analyze");
        }
        log(
                "- database size after generation: %s%n%n",
                scalar("select pg_size_pretty(pg_database_size(current_database()))"));

        // "now" is 7 minutes before a full hour, as on a live dashboard, so every answer mixes 1d, 1h and 1m rows
        Instant now = end.minus(Duration.ofMinutes(7));
        String thirtyDays = "from=" + now.minus(Duration.ofDays(30)) + "&to=" + now;
        String sevenDays = "from=" + now.minus(Duration.ofDays(7)) + "&to=" + now;
        log("| query | p50 ms | p95 ms | max ms | series × points |%n|---|---|---|---|---|%n");
        time("cost per feature, 30 days, one number each", "/v1/metrics/cost_usd?groupBy=feature&" + thirtyDays);
        time(
                "cost per feature, 30 days, per day (stacked chart)",
                "/v1/metrics/cost_usd?groupBy=feature&bucket=1d&" + thirtyDays);
        time(
                "p95 latency per model, 7 days, hourly",
                "/v1/metrics/latency_p95_ms?groupBy=model&bucket=1h&" + sevenDays);
        time("p95 latency per model, 7 days, one number each", "/v1/metrics/latency_p95_ms?groupBy=model&" + sevenDays);
        time(
                "eval pass rate per feature, 30 days, daily",
                "/v1/metrics/eval_pass_rate?groupBy=feature&bucket=1d&" + thirtyDays);
        time(
                "top sessions by input tokens, 30 days (cost view)",
                "/v1/metrics/input_tokens?groupBy=session&limit=100&" + thirtyDays);
        time(
                "top sessions by input tokens, 7 days (cost view)",
                "/v1/metrics/input_tokens?groupBy=session&limit=100&" + sevenDays);
        time(
                "eval pass rate per feature and evaluator, 30 days, hourly",
                "/v1/metrics/eval_pass_rate?groupBy=feature,evaluator&bucket=1h&" + thirtyDays);
        log(
                "%nGoal: p95 < 150 ms at 10M spans. Each query ran %d times after 5 warm-up runs, one at a time, "
                        + "through HTTP with a read key.%n",
                QUERY_RUNS);
    }

    /**
     * The history: traces of two LLM calls (a root and its child, e.g. a rewrite and an answer), each with a prompt of
     * five and a completion of three sentences ({@link ExplorerData}), a session of 100 traces (ten at a time, about
     * nine minutes) and its user (5,000 users of ten sessions each), and the trace's row in {@code trace_features} as the
     * consumer writes it. V11's search indexes are built after the rows.
     */
    private void generateHistory(Instant start, Instant end) throws Exception {
        int slices = 10;
        long perSlice = HISTORY_SPANS / slices;
        try (Connection c = jdbc();
                Statement s = c.createStatement()) {
            ExplorerData.createSentences(s);
            ExplorerData.dropSearchIndexes(s);
            s.execute("select setseed(0.42)");
            for (int i = 0; i < slices; i++) {
                long from = i * perSlice;
                s.execute(String.format(
                        """
                        with ins as (
                        insert into telemetry.spans (project_id, trace_id, span_id, parent_span_id, kind, name, provider,
                            model, start_time, end_time, latency_ms, input_tokens, output_tokens, cost_usd, prompt, completion,
                            status, error_type, feature, session_id, user_id, rollup_feature, rollup_user, rollup_session,
                            truncated, schema_version, received_at)
                        select '%1$s', md5((g - g %% 2)::text), lpad(to_hex(g), 16, '0'),
                            case when g %% 2 = 1 then lpad(to_hex(g - 1), 16, '0') end, 'LLM', 'chat', 'openai', m.model, t.ts,
                            t.ts + l.ms * interval '1 millisecond', l.ms, tok.i, tok.o,
                            (tok.i * 25 + tok.o * 100) / 1e7, %6$s, %7$s, st.status,
                            case when st.status = 'ERROR' then 'rate_limit' end,
                            f.feature, p.session, p.user_id, f.feature, p.user_id, p.session, st.status = 'TRUNCATED', 1, t.ts
                        from generate_series(%2$d, %3$d) g
                        cross join lateral (select timestamptz '%4$s' + (g::float8 / %5$d) * interval '30 days' as ts) t
                        cross join lateral (select (array['gpt-4o','gpt-4o-mini','claude-sonnet','llama-3-70b'])[1 + g %% 4] as model) m
                        cross join lateral (select (array['support-rag','summarise','classify','agent','search'])[1 + ((g - g %% 2) / 7) %% 5] as feature) f
                        cross join lateral (select 's-' || n as session, encode(sha256(('user-' || n %% 5000)::bytea), 'hex') as user_id
                            from (select (g / 2000) * 10 + (g / 2) %% 10 as n) x) p
                        cross join lateral (select (exp(6.3 + 0.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))::bigint + (g %% 4) * 150 + g * 0 as ms) l
                        cross join lateral (select 300 + (random() * 2000)::bigint + g * 0 as i, 50 + (random() * 500)::bigint + g * 0 as o) tok
                        cross join lateral (select case when random() + g * 0 < 0.03 then 'ERROR' when random() < 0.02 then 'TRUNCATED' else 'SUCCESS' end as status) st
                        returning trace_id, parent_span_id, feature, start_time, user_id, session_id)
                        insert into telemetry.trace_features (project_id, trace_id, feature, trace_time, user_id, session_id)
                        select '%1$s', trace_id, feature, start_time, user_id, session_id from ins where parent_span_id is null
                        """,
                        historyProject,
                        from,
                        from + perSlice - 1,
                        start,
                        HISTORY_SPANS,
                        ExplorerData.PROMPT,
                        ExplorerData.COMPLETION));
                System.out.printf("  … %,d of %,d history spans generated%n", from + perSlice, HISTORY_SPANS);
            }
            long started = System.nanoTime();
            ExplorerData.createSearchIndexes(s, "1GB");
            searchIndexSeconds = seconds(started);
        }
    }

    /** Streams the spans in time order through {@link SpanRollupDelta} and COPYs each closed bucket. */
    private long buildSpanRollups(Instant start, Instant end) throws Exception {
        long rows = 0;
        try (Connection c = jdbc()) {
            c.setAutoCommit(false);
            SpanRollupDelta[] deltas = {
                new SpanRollupDelta(Granularity.MINUTE),
                new SpanRollupDelta(Granularity.HOUR),
                new SpanRollupDelta(Granularity.DAY)
            };
            SessionRollupDelta[] sessions = {
                new SessionRollupDelta(Granularity.HOUR), new SessionRollupDelta(Granularity.DAY)
            };
            Instant[] open = new Instant[3];
            try (PreparedStatement q = c.prepareStatement("""
                    select start_time, kind, rollup_feature, coalesce(model, '') as model, status, trace_id,
                        coalesce(session_id, '') as session_id,
                        coalesce(error_type, '') as error_type, coalesce(tool_name, '') as tool_name,
                        coalesce(input_tokens, 0) as i, coalesce(output_tokens, 0) as o, coalesce(cost_usd, 0) as cost, latency_ms
                    from telemetry.spans where project_id = ? order by start_time""")) {
                q.setFetchSize(20_000);
                q.setString(1, historyProject);
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        Instant t = r.getObject(1, OffsetDateTime.class).toInstant();
                        // as the consumer does: rows per source partition (3, keyed by trace)
                        int shard = Math.floorMod(r.getString("trace_id").hashCode(), 3);
                        SpanFacts facts = new SpanFacts(
                                historyProject,
                                t,
                                r.getString("kind"),
                                r.getString("rollup_feature"),
                                r.getString("model"),
                                r.getString("status"),
                                r.getString("error_type"),
                                r.getString("tool_name"),
                                false,
                                false,
                                r.getLong("i"),
                                r.getLong("o"),
                                0,
                                0,
                                0,
                                r.getBigDecimal("cost"),
                                r.getLong("latency_ms"),
                                shard,
                                r.getString("session_id"));
                        for (int g = 0; g < 3; g++) {
                            Instant bucket = deltas[g].granularity().floor(t);
                            if (open[g] != null && !open[g].equals(bucket)) {
                                rows += flush(c, deltas[g]);
                                deltas[g] = new SpanRollupDelta(deltas[g].granularity());
                                if (g > 0) {
                                    rows += flush(c, sessions[g - 1]);
                                    sessions[g - 1] = new SessionRollupDelta(sessions[g - 1].granularity());
                                }
                            }
                            open[g] = bucket;
                            deltas[g].add(facts);
                            if (g > 0) {
                                sessions[g - 1].add(facts);
                            }
                        }
                    }
                }
            }
            for (SpanRollupDelta d : deltas) {
                rows += flush(c, d);
            }
            for (SessionRollupDelta d : sessions) {
                rows += flush(c, d);
            }
            c.commit();
        }
        return rows;
    }

    private static long flush(Connection c, SpanRollupDelta delta) throws Exception {
        StringBuilder csv = new StringBuilder();
        for (Map.Entry<SpanRollupKey, SpanRollupDelta.Cell> e : delta.cells().entrySet()) {
            SpanRollupKey k = e.getKey();
            SpanRollupDelta.Cell cell = e.getValue();
            csv.append(String.join(
                            ",",
                            k.projectId(),
                            k.bucket().toString(),
                            k.kind(),
                            quote(k.feature()),
                            quote(k.model()),
                            k.status(),
                            quote(k.errorType()),
                            quote(k.toolName()),
                            Integer.toString(k.shard()),
                            Long.toString(cell.spanCount),
                            "0",
                            "0",
                            Long.toString(cell.inputTokens),
                            Long.toString(cell.outputTokens),
                            "0",
                            "0",
                            cell.costUsd.toPlainString(),
                            Long.toString(cell.latencyCount),
                            Long.toString(cell.latencySumMs),
                            "\\x" + HexFormat.of().formatHex(cell.mergedSketch(null))))
                    .append('\n');
        }
        c.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(
                        "copy " + delta.granularity().table("span_rollup")
                                + " (project_id, bucket, kind, feature, model, status, error_type, tool_name, shard, span_count, "
                                + "structured_count, parse_failure_count, input_tokens, output_tokens, cached_input_tokens, "
                                + "reasoning_tokens, cost_usd, latency_count, latency_sum_ms, latency_sketch) from stdin (format csv)",
                        new StringReader(csv.toString()));
        return delta.cells().size();
    }

    private static long flush(Connection c, SessionRollupDelta delta) throws Exception {
        StringBuilder csv = new StringBuilder();
        for (Map.Entry<SessionRollupDelta.Key, SessionRollupDelta.Cell> e :
                delta.cells().entrySet()) {
            SessionRollupDelta.Key k = e.getKey();
            SessionRollupDelta.Cell cell = e.getValue();
            csv.append(String.join(
                            ",",
                            k.projectId(),
                            k.bucket().toString(),
                            quote(k.sessionId()),
                            Integer.toString(k.shard()),
                            Long.toString(cell.spanCount),
                            Long.toString(cell.llmCount),
                            Long.toString(cell.inputTokens),
                            Long.toString(cell.outputTokens),
                            cell.costUsd.toPlainString()))
                    .append('\n');
        }
        c.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(
                        "copy " + delta.granularity().table("session_rollup")
                                + " (project_id, bucket, session_id, shard, span_count, llm_count, input_tokens, output_tokens, cost_usd)"
                                + " from stdin (format csv)",
                        new StringReader(csv.toString()));
        return delta.cells().size();
    }

    private static String quote(String value) {
        return "\"" + value + "\"";
    }

    private void generateEvals(Instant start, Instant end) throws Exception {
        try (Connection c = jdbc();
                Statement s = c.createStatement()) {
            s.execute(String.format("""
                    insert into telemetry.eval_results (project_id, eval_id, evaluated_at, decision_id, feature, evaluator,
                        score, passed, trigger, record)
                    select '%1$s', 'e-' || g, timestamptz '%2$s' + (g::float8 / %3$d) * interval '30 days', 'd-' || g,
                        (array['support-rag','summarise','classify','agent','search'])[1 + g %% 5],
                        (array['faithfulness','json_valid','refusal'])[1 + (g / 5) %% 3], sc.score, sc.score >= 0.5,
                        'SAMPLED', '{}'::jsonb
                    from generate_series(1, %3$d) g cross join lateral (select random() ^ 0.3 + g * 0 as score) sc
                    """, historyProject, start, HISTORY_SPANS / 10));
            for (String[] g : new String[][] {{"1m", "minute"}, {"1h", "hour"}, {"1d", "day"}}) {
                s.execute(String.format("""
                        insert into telemetry.eval_rollup_%1$s (project_id, bucket, feature, evaluator, trigger, eval_count,
                            passed_count, score_sum)
                        select project_id, date_trunc('%2$s', evaluated_at, 'UTC'), feature, evaluator, trigger, count(*),
                            count(*) filter (where passed), sum(score)
                        from telemetry.eval_results where project_id = '%3$s' group by 1, 2, 3, 4, 5
                        """, g[0], g[1], historyProject));
            }
        }
    }

    /** A metric query's row: its timings and the series × points of its last answer. */
    private void time(String name, String path) throws Exception {
        timeApi(name, path, tree -> {
            int points = 0;
            for (var series : tree.get("series")) {
                points = Math.max(points, series.get("points").size());
            }
            return tree.get("series").size() + " × " + points;
        });
    }

    // ---------------------------------------------------------------- dashboard views

    /**
     * Every view of the dashboard at 24 h, 7 d and 30 d (and one decision's page) in headless Chromium, over the query
     * part's data set plus decisions, feedback and alerts. Returns the views that did not load.
     */
    private List<String> dashboardViews() throws Exception {
        log("%n## Dashboard views in headless Chromium over the same data%n%n");
        log("- alert-manager and eval-runner (rules, datasets) are played by `BenchNeighbours`, which answers at once: "
                + "their forwarding through the aggregator is measured, their own time is not%n");
        log("- data: %s to %s; the views ask for ranges ending at the real clock%n", historyStart, historyEnd);
        List<String> failed = new ArrayList<>();
        try (ViewLoads browser = new ViewLoads(base.toString(), historyKey)) {
            browserHeader(browser);
            for (String[] view : VIEWS_SHOWN) {
                for (String range : VIEW_RANGES) {
                    viewRow(browser, view[0], view[1] + "?range=" + range, range, failed);
                }
            }
            viewRow(browser, "decision", "/decisions/" + decisionId, "24h (default)", failed);
        }
        log(
                "%nGoal (Dashboard issue): every view loads in under one second at 10M spans. With %d loads, p95 (nearest "
                        + "rank) is the slowest load when fewer than 20 are measured.%n",
                VIEW_RUNS);
        return failed;
    }

    private void browserHeader(ViewLoads browser) {
        log(
                "- browser: %s (headless, window 1440×1000), on the same two cores as the aggregator and PostgreSQL; "
                        + "load average before the first load: %s%n",
                browser.browserVersion(), loadAverage());
        log(
                "- each row: %d loads discarded, then %d measured, one at a time, each a full navigation; time from "
                        + "navigation start (`performance.timeOrigin`) to `main#view[data-state=ready]`, taken in the page by "
                        + "a MutationObserver (`performance.now()`). API calls: the page's resource timings under `/v1/`; "
                        + "\"last API answer\": when the last of them had arrived (same clock). Drawn: charts / points / "
                        + "table rows (chart legends aside) of the last load%n%n",
                VIEW_WARM_UPS, VIEW_RUNS);
        log(
                "| view | range | p50 ms | p95 ms | max ms | API calls | last API answer, p50 ms | slowest call (p50 ms) | drawn |%n"
                        + "|---|---|---|---|---|---|---|---|---|%n");
    }

    // ---------------------------------------------------------------- trace explorer (issue 26)

    /**
     * The explorer's calls through HTTP (search per word frequency, traces, sessions, users) and its views in headless
     * Chromium, over the history with decisions. Returns the views that did not load.
     */
    private List<String> explorer() throws Exception {
        log("%n## Trace explorer over the same data (issue 26)%n%n");
        Instant now = Instant.now();
        String week = "from=" + now.minus(Duration.ofDays(7)) + "&to=" + now;
        String day = "from=" + now.minus(Duration.ofDays(1)) + "&to=" + now;
        String month = "from=" + now.minus(Duration.ofDays(30)) + "&to=" + now;
        List<ExplorerData.Word> words;
        try (Connection c = jdbc()) {
            words = ExplorerData.words(c);
        }
        long inWeek = Long.parseLong(scalar("select count(*) from telemetry.spans where project_id = '" + historyProject
                + "' and start_time >= '" + now.minus(Duration.ofDays(7)) + "' and start_time < '" + now + "'"));
        String session = scalar("select session_id from telemetry.trace_features where project_id = '" + historyProject
                + "' and trace_time < '" + now + "' order by trace_time desc limit 1");
        String user = scalar("select user_id from telemetry.trace_features where project_id = '" + historyProject
                + "' and session_id = '" + session + "' limit 1");
        log(
                "- %,d spans (all with a prompt and a completion) in the 7 days searched, %s to %s; the searched words are "
                        + "chosen by the share of spans holding them, estimated from the generated sentences; each call "
                        + "5 times discarded, then %d measured, one at a time, through HTTP with a read key%n%n",
                inWeek, now.minus(Duration.ofDays(7)), now, QUERY_RUNS);
        log("| call | p50 ms | p95 ms | max ms | answer |%n|---|---|---|---|---|%n");
        ExplorerData.Word middling = words.get(2);
        for (ExplorerData.Word w : words) {
            String name = w.share() == 0
                    ? String.format("search, 7 days: `%s` (in no span)", w.word())
                    : String.format(
                            "search, 7 days: `%s` (in ~%s of spans, ~%,d in the range)",
                            w.word(), percent(w.share()), Math.round(w.share() * inWeek));
            timeApi(
                    name,
                    "/v1/search?q=" + w.word() + "&" + week,
                    a -> a.get("hits").size() + " hits");
        }
        timeApi(
                "search, 24 hours: `" + middling.word() + "`",
                "/v1/search?q=" + middling.word() + "&" + day,
                a -> a.get("hits").size() + " hits");
        timeApi(
                "traces, 24 hours, newest 50",
                "/v1/traces?limit=50&" + day,
                a -> a.get("traces").size() + " traces");
        timeApi(
                "traces, 7 days, feature support-rag",
                "/v1/traces?limit=50&feature=support-rag&" + week,
                a -> a.get("traces").size() + " traces");
        timeApi(
                "traces, 30 days, feature support-rag",
                "/v1/traces?limit=50&feature=support-rag&" + month,
                a -> a.get("traces").size() + " traces");
        timeApi(
                "traces, 7 days, feature and text `" + middling.word() + "`",
                "/v1/traces?limit=50&feature=support-rag&q=" + middling.word() + "&" + week,
                a -> a.get("traces").size() + " traces");
        timeApi(
                "sessions, 24 hours",
                "/v1/sessions?limit=50&" + day,
                a -> a.get("sessions").size() + " sessions");
        timeApi(
                "sessions, 7 days",
                "/v1/sessions?limit=50&" + week,
                a -> a.get("sessions").size() + " sessions");
        timeApi(
                "session `" + session + "` replayed (30 days)",
                "/v1/sessions/" + session,
                a -> a.get("turns").size() + " turns");
        timeApi(
                "users, 7 days",
                "/v1/users?limit=50&" + week,
                a -> a.get("users").size() + " users");
        timeApi(
                "a user's page (30 days)",
                "/v1/users/" + user,
                a -> a.get("user").get("sessions") + " sessions");

        log("%n");
        List<String> failed = new ArrayList<>();
        try (ViewLoads browser = new ViewLoads(base.toString(), historyKey)) {
            browserHeader(browser);
            viewRow(browser, "traces", "/traces?range=24h", "24h", failed);
            viewRow(browser, "traces, feature filter", "traces", "/traces?feature=support-rag&range=7d", "7d", failed);
            viewRow(
                    browser,
                    "traces, feature filter",
                    "traces",
                    "/traces?feature=support-rag&range=30d",
                    "30d",
                    failed);
            viewRow(
                    browser,
                    "traces, text `" + middling.word() + "`",
                    "traces",
                    "/traces?q=" + middling.word() + "&range=7d",
                    "7d",
                    failed);
            viewRow(browser, "sessions", "/sessions?range=24h", "24h", failed);
            viewRow(browser, "sessions", "/sessions?range=7d", "7d", failed);
            viewRow(browser, "session", "/sessions/" + session, "30d (default)", failed);
            viewRow(browser, "users", "/users?range=7d", "7d", failed);
            viewRow(browser, "user", "/users/" + user, "30d (default)", failed);
            viewRow(
                    browser,
                    "trace",
                    "/traces/" + md5(decisionSpan(Integer.parseInt(decisionId.substring(2)))),
                    "—",
                    failed);
        }
        log("%nGoals (issue 26): a one-word search over 7 days p95 < 300 ms; the traces view with a feature filter and "
                + "the session page load in < 1 s.%n");
        return failed;
    }

    private static String percent(double share) {
        return share >= 0.01 ? String.format("%.0f %%", share * 100) : String.format("%.2g %%", share * 100);
    }

    /** Times a GET {@link #QUERY_RUNS} times after 5 discarded, and logs a row with what its last answer held. */
    private void timeApi(
            String name,
            String path,
            java.util.function.Function<com.fasterxml.jackson.databind.JsonNode, String> answer)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(base.toURI().resolve(path))
                .header("Authorization", "Bearer " + historyKey)
                .build();
        long[] micros = new long[QUERY_RUNS];
        String body = null;
        for (int i = -5; i < QUERY_RUNS; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long elapsed = (System.nanoTime() - t0) / 1000;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
            if (i >= 0) {
                micros[i] = elapsed;
            }
            body = response.body();
        }
        Arrays.sort(micros);
        log(
                "| %s | %.1f | %.1f | %.1f | %s |%n",
                name,
                micros[QUERY_RUNS / 2] / 1000.0,
                micros[(int) Math.ceil(QUERY_RUNS * 0.95) - 1] / 1000.0,
                micros[QUERY_RUNS - 1] / 1000.0,
                answer.apply(EventJson.mapper().readTree(body)));
    }

    /** With -Dloupe.bench.hold=true: waits for {@code target/benchmarks/release} before the database is dropped. */
    private void hold() throws Exception {
        if (!HOLD) {
            return;
        }
        Path release = Path.of("target/benchmarks/release");
        System.out.printf(
                "holding: database %s, aggregator %s; touch %s to end%n", jdbcUrl, base, release.toAbsolutePath());
        while (!Files.exists(release)) {
            Thread.sleep(2000);
        }
        Files.delete(release);
    }

    /** Decisions, feedback, one decision's page and alerts over the history, for the views and the explorer. */
    private void viewData() throws Exception {
        log("%n## Decisions, feedback and alerts for the views%n%n");
        long started = System.nanoTime();
        int decisions = generateDecisions();
        long feedback = generateFeedback(decisions);
        decisionId = seedDecisionPage(decisions);
        int alerts = seedAlerts();
        try (Connection c = jdbc();
                Statement s = c.createStatement()) {
            s.execute("vacuum analyze telemetry.decisions, telemetry.feedback, telemetry.decision_rollup_1m, "
                    + "telemetry.decision_rollup_1h, telemetry.decision_rollup_1d, telemetry.alert_events, telemetry.spans, "
                    + "telemetry.eval_results");
        }
        log(
                "- generated %,d decisions (one per ten history spans, each on that span's trace, time, feature and model; "
                        + "ids match the evaluation results), %,d feedback signals on them (one decision in 50), the decision "
                        + "rollups and %d alert events: %.0f s. Decision `%s` got a trace of five spans and readable evaluation "
                        + "records for its page.%n",
                decisions, feedback, alerts, seconds(started), decisionId);
    }

    private void viewRow(ViewLoads browser, String view, String path, String range, List<String> failed) {
        viewRow(browser, view, view, path, range, failed);
    }

    /** One table row: {@code path} loaded and measured, under {@code label}; its {@code main#view} must be {@code view}. */
    private void viewRow(ViewLoads browser, String label, String view, String path, String range, List<String> failed) {
        List<ViewLoads.Load> loads;
        try {
            loads = browser.measure(path, VIEW_WARM_UPS, VIEW_RUNS);
        } catch (RuntimeException e) {
            failed.add(path);
            log(
                    "| %s | %s | failed: %s | | | | | | |%n",
                    label, range, e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        ViewLoads.Load bad = loads.stream()
                .filter(l -> !"ready".equals(l.state()) || !view.equals(l.view()))
                .findFirst()
                .orElse(null);
        if (bad != null) {
            failed.add(path);
            log("| %s | %s | %s: %s | | | | | | |%n", label, range, bad.state(), bad.banner());
            return;
        }
        double[] ready =
                loads.stream().mapToDouble(ViewLoads.Load::readyMs).sorted().toArray();
        double[] lastApi =
                loads.stream().mapToDouble(ViewLoads.Load::lastApiMs).sorted().toArray();
        double[] slowestMs = loads.stream()
                .mapToDouble(ViewLoads.Load::slowestCallMs)
                .sorted()
                .toArray();
        // the call that was slowest most often (without its from/to, which move with the clock)
        String slowest = loads.stream()
                .map(l -> l.slowestCall()
                        .replaceAll("(?<=[?&])(from|to)=[^&]*&?", "")
                        .replaceAll("[?&]$", ""))
                .collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.stream.Collectors.counting()))
                .entrySet()
                .stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse("—");
        int[] calls =
                loads.stream().mapToInt(ViewLoads.Load::apiCalls).distinct().toArray();
        ViewLoads.Load last = loads.get(loads.size() - 1);
        int n = ready.length;
        log(
                "| %s | %s | %.0f | %.0f | %.0f | %s | %.0f | `%s` (%.0f) | %d / %,d / %d |%n",
                label,
                range,
                ready[n / 2],
                ready[(int) Math.ceil(n * 0.95) - 1],
                ready[n - 1],
                Arrays.stream(calls).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining("–")),
                lastApi[n / 2],
                slowest,
                slowestMs[n / 2],
                last.charts(),
                last.points(),
                last.rows());
    }

    /** The history span a generated decision answered: its index in the spans' generate_series. */
    private static long decisionSpan(int g) {
        return (long) (g - 1) * 10;
    }

    private Instant spanTime(long span) {
        long micros = Duration.between(historyStart, historyEnd).toNanos() / 1000;
        return historyStart.plusNanos((long) ((double) span / HISTORY_SPANS * micros) * 1000);
    }

    /** One decision per ten history spans ('d-1' …, as the evaluation results name them), COPY'd in chunks. */
    private int generateDecisions() throws Exception {
        int count = HISTORY_SPANS / 10;
        Random random = new Random(4);
        String input = "Customer question: how long do I have to return an order that arrived damaged, and do I pay "
                + "for the return shipping? Order placed with express delivery; the parcel was opened by customs.";
        String output = "You can return it within 30 days of delivery and the return shipping is free for damaged "
                + "items: open the order page, choose Return, and pick 'arrived damaged' as the reason. A refund is "
                + "issued to the original payment method within 5 business days of the parcel reaching us.";
        try (Connection c = jdbc()) {
            StringBuilder csv = new StringBuilder();
            for (int g = 1; g <= count; g++) {
                long span = decisionSpan(g);
                Instant at = spanTime(span);
                String feature = FEATURES[(int) ((span / 7) % 5)];
                String model = MODELS[(int) (span % 4)];
                boolean error = random.nextDouble() < 0.03;
                long in = 300 + random.nextInt(2000);
                long out = 50 + random.nextInt(500);
                DecisionRecord d = new DecisionRecord(
                        SchemaVersions.CURRENT,
                        historyProject,
                        "d-" + g,
                        md5(span),
                        feature,
                        "Order " + g + ". " + input,
                        md5(input + g),
                        List.of(
                                new RetrievalResult(
                                        "policy-" + random.nextInt(200), 0.5 + random.nextDouble() / 2, md5("p" + g)),
                                new RetrievalResult(
                                        "faq-" + random.nextInt(500), random.nextDouble() / 2, md5("f" + g))),
                        "support-answer",
                        "v" + (1 + g % 4),
                        model,
                        error ? null : output,
                        error ? null : md5(output),
                        null,
                        null,
                        Map.of(),
                        error ? Outcome.ERROR : Outcome.SUCCESS,
                        error ? "rate_limit" : null,
                        BigDecimal.valueOf(in * 25 + out * 100).movePointLeft(7),
                        Math.round(Math.exp(6.3 + random.nextGaussian() * 0.5)),
                        at,
                        Map.of("tier", "pro"));
                csvLine(
                        csv,
                        historyProject,
                        d.decisionId(),
                        at,
                        d.traceId(),
                        feature,
                        model,
                        d.status().name(),
                        EventJson.encode(d));
                if (g % 50_000 == 0 || g == count) {
                    c.unwrap(PGConnection.class)
                            .getCopyAPI()
                            .copyIn(
                                    "copy telemetry.decisions (project_id, decision_id, "
                                            + "occurred_at, trace_id, feature, model, status, record) from stdin (format csv)",
                                    new StringReader(csv.toString()));
                    csv.setLength(0);
                }
            }
            try (Statement s = c.createStatement()) {
                for (String[] g : new String[][] {{"1m", "minute"}, {"1h", "hour"}, {"1d", "day"}}) {
                    s.execute(String.format("""
                            insert into telemetry.decision_rollup_%1$s (project_id, bucket, feature, model, status,
                                decision_count, cost_usd)
                            select project_id, date_trunc('%2$s', occurred_at, 'UTC'), coalesce(feature, ''),
                                coalesce(model, ''), coalesce(status, ''), count(*), sum((record->>'costUsd')::numeric)
                            from telemetry.decisions where project_id = '%3$s' group by 1, 2, 3, 4, 5
                            """, g[0], g[1], historyProject));
                }
            }
        }
        return count;
    }

    /** Feedback on one decision in 50, five minutes after it: corrections, thumbs and confirmations in turn. */
    private long generateFeedback(int decisions) throws Exception {
        FeedbackSignal[] signals = {
            FeedbackSignal.EDITED,
            FeedbackSignal.THUMBS_DOWN,
            FeedbackSignal.INCORRECT,
            FeedbackSignal.THUMBS_UP,
            FeedbackSignal.CORRECT
        };
        long count = 0;
        StringBuilder csv = new StringBuilder();
        for (int g = 50; g <= decisions; g += 50) {
            FeedbackSignal signal = signals[(g / 50) % signals.length];
            Instant at = spanTime(decisionSpan(g)).plus(Duration.ofMinutes(5));
            FeedbackRecord f = new FeedbackRecord(
                    SchemaVersions.CURRENT,
                    historyProject,
                    "f-" + g,
                    "d-" + g,
                    signal,
                    signal == FeedbackSignal.EDITED
                            ? "Within 30 days; return shipping is free for damaged items."
                            : null,
                    signal == FeedbackSignal.INCORRECT ? "The policy changed last month." : null,
                    "u-" + (g % 997),
                    at);
            csvLine(csv, historyProject, f.feedbackId(), at, f.decisionId(), signal.name(), EventJson.encode(f));
            count++;
        }
        try (Connection c = jdbc()) {
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "copy telemetry.feedback (project_id, feedback_id, occurred_at, "
                                    + "decision_id, signal, record) from stdin (format csv)",
                            new StringReader(csv.toString()));
        }
        return count;
    }

    /**
     * The decision the benchmark opens: the newest with feedback. Its trace gets a chain root, a retrieval and a tool
     * span besides its LLM span, and its evaluation rows (generated with an empty record) get readable records.
     */
    private String seedDecisionPage(int decisions) throws Exception {
        int g = decisions - decisions % 50;
        String id = "d-" + g;
        long span = decisionSpan(g);
        Instant at = spanTime(span);
        String feature = FEATURES[(int) ((span / 7) % 5)];
        String trace = md5(span);
        String root = String.format("%016x", 0xbe_0000_0000L + g);
        try (Connection c = jdbc()) {
            // the trace's generated root (an LLM call) becomes a child of the chain root added here
            try (PreparedStatement u = c.prepareStatement("update telemetry.spans set parent_span_id = ?"
                    + " where project_id = ? and trace_id = ? and parent_span_id is null")) {
                u.setString(1, root);
                u.setString(2, historyProject);
                u.setString(3, trace);
                u.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("""
                    insert into telemetry.spans (project_id, trace_id, span_id, parent_span_id, kind, name, tool_name,
                        start_time, end_time, latency_ms, status, feature, decision_id, rollup_feature, truncated,
                        schema_version, received_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'SUCCESS', ?, ?, ?, false, 1, ?)""")) {
                Object[][] spans = {
                    {root, null, "CHAIN", feature, null, -250, 1900},
                    {String.format("%016x", 0xbf_0000_0000L + g), root, "RETRIEVAL", "vector search", null, -240, 140},
                    {
                        String.format("%016x", 0xc0_0000_0000L + g),
                        root,
                        "TOOL",
                        "tool lookup_order",
                        "lookup_order",
                        1400,
                        120
                    }
                };
                for (Object[] s : spans) {
                    Instant from = at.plusMillis((int) s[5]);
                    p.setString(1, historyProject);
                    p.setString(2, trace);
                    p.setString(3, (String) s[0]);
                    p.setString(4, (String) s[1]);
                    p.setString(5, (String) s[2]);
                    p.setString(6, (String) s[3]);
                    p.setString(7, (String) s[4]);
                    p.setObject(8, from.atOffset(ZoneOffset.UTC));
                    p.setObject(9, from.plusMillis((int) s[6]).atOffset(ZoneOffset.UTC));
                    p.setLong(10, (int) s[6]);
                    p.setString(11, s[2].equals("CHAIN") ? feature : null);
                    p.setString(12, id);
                    p.setString(13, feature);
                    p.setObject(14, from.plusSeconds(2).atOffset(ZoneOffset.UTC));
                    p.addBatch();
                }
                p.executeBatch();
            }
            List<EvalResult> evals = new ArrayList<>();
            try (PreparedStatement q =
                    c.prepareStatement("select eval_id, evaluated_at, feature, evaluator, score, passed "
                            + "from telemetry.eval_results where project_id = ? and decision_id = ?")) {
                q.setString(1, historyProject);
                q.setString(2, id);
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        evals.add(new EvalResult(
                                SchemaVersions.CURRENT,
                                historyProject,
                                r.getString(1),
                                id,
                                r.getString(3),
                                r.getString(4),
                                "1",
                                r.getDouble(5),
                                r.getBoolean(6),
                                "generated for the benchmark",
                                EvalTrigger.SAMPLED,
                                Map.of(),
                                r.getObject(2, OffsetDateTime.class).toInstant()));
                    }
                }
            }
            try (PreparedStatement u = c.prepareStatement(
                    "update telemetry.eval_results set record = ?::jsonb where project_id = ? and eval_id = ?")) {
                for (EvalResult e : evals) {
                    u.setString(1, EventJson.encode(e));
                    u.setString(2, historyProject);
                    u.setString(3, e.evalId());
                    u.addBatch();
                }
                u.executeBatch();
            }
        }
        return id;
    }

    /** Alert events of 40 alerts: 4 firing and 2 pending now, the rest resolved during the last week. */
    private int seedAlerts() throws Exception {
        Instant now = Instant.now();
        int events = 0;
        try (Connection c = jdbc();
                PreparedStatement p = c.prepareStatement("""
                insert into telemetry.alert_events (project_id, fingerprint, state, changed_at, rule_id, severity, record)
                values (?, ?, ?, ?, ?, ?, ?::jsonb)""")) {
            for (int i = 0; i < 40; i++) {
                String fingerprint = String.format("%016x", 0x5eed_0000_0000L + i * 7919L);
                String feature = FEATURES[i % FEATURES.length];
                String rule = i % 2 == 0 ? "errors" : "quality-drift";
                String severity = i % 3 == 0 ? "critical" : "warning";
                Instant starts =
                        i < 6 ? now.minus(Duration.ofMinutes(10L + 17L * i)) : now.minus(Duration.ofHours(4L * i));
                List<AlertState> states = new ArrayList<>(List.of(AlertState.PENDING));
                if (i < 4 || i >= 6) {
                    states.add(AlertState.FIRING);
                }
                if (i >= 6) {
                    states.add(AlertState.RESOLVED);
                }
                for (AlertState state : states) {
                    Instant ends = state == AlertState.RESOLVED ? starts.plus(Duration.ofMinutes(45)) : null;
                    Instant changed = ends != null
                            ? ends
                            : state == AlertState.FIRING ? starts.plus(Duration.ofMinutes(2)) : starts;
                    AlertEvent e = new AlertEvent(
                            SchemaVersions.CURRENT,
                            historyProject,
                            fingerprint,
                            rule,
                            state,
                            null,
                            null,
                            severity,
                            i % 2 == 0 ? "team-platform" : "team-ml-quality",
                            "https://runbooks.example/" + rule + ".md",
                            (i % 2 == 0 ? "Error rate of " : "Eval score of ")
                                    + feature
                                    + (i % 2 == 0 ? " above 10 %" : " drifted"),
                            Map.of("alertname", rule, "feature", feature),
                            0.12 + i / 100.0,
                            0.1,
                            i % 2 == 0 ? null : 0.8,
                            starts,
                            ends);
                    p.setString(1, historyProject);
                    p.setString(2, fingerprint);
                    p.setString(3, state.name());
                    p.setObject(4, changed.atOffset(ZoneOffset.UTC));
                    p.setString(5, rule);
                    p.setString(6, severity);
                    p.setString(7, EventJson.encode(e));
                    p.addBatch();
                    events++;
                }
            }
            p.executeBatch();
        }
        return events;
    }

    private static void csvLine(StringBuilder csv, Object... values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                csv.append(',');
            }
            if (values[i] != null) {
                csv.append('"')
                        .append(values[i].toString().replace("\"", "\"\""))
                        .append('"');
            }
        }
        csv.append('\n');
    }

    private static String md5(Object value) {
        try {
            return HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("MD5")
                            .digest(value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    // ---------------------------------------------------------------- plumbing

    private Connection jdbc() throws Exception {
        return DriverManager.getConnection(jdbcUrl, dbUser, "");
    }

    private String scalar(String sql) throws Exception {
        try (Connection c = jdbc();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private void log(String format, Object... args) {
        String line = String.format(format, args);
        report.append(line);
        System.out.print(line);
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 2))
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static long memoryGiB() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) >> 20)
                    .orElse(0L);
        } catch (IOException e) {
            return 0;
        }
    }
}
