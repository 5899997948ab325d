package dev.loupe.e2e.bench;

import com.google.protobuf.ByteString;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.e2e.LoupeStackAccess;
import dev.loupe.testing.TestSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The end-to-end benchmark behind {@code bin/loupe bench} (not a test: it asserts nothing and runs only with
 * {@code -Pbenchmark}). One run on one machine, the whole stack as separate processes:
 * <ol>
 *   <li>raw references: Kafka's own producer sending the same ~1.1 KB span records to the same broker, and a
 *   {@code COPY} of the same rows into a copy of {@code telemetry.spans} (its indexes included);</li>
 *   <li>Loupe: {@value #SPANS} spans (by default) over HTTP, native JSON then OTLP protobuf, timed from the
 *   first request to the last span committed with its rollups (the aggregator's stored counter);</li>
 *   <li>accept latency and visibility (accepted → in the database, polled every 20 ms) at 5,000 spans/s;</li>
 *   <li>each phase after the previous one's work is done: every consumer group drained (the decisions of a run's
 *   roots are still evaluated and counted after its last span is stored), the time that took reported;</li>
 *   <li>RSS of every service idle and its peak under load.</li>
 * </ol>
 * Writes {@code e2e/target/benchmarks/end-to-end.md}; {@code bin/loupe bench} adds the dashboard query figures.
 */
class EndToEndBenchmark {
    static final int SPANS = Integer.getInteger("bench.e2e.spans", 1_000_000);
    static final int PER_REQUEST = 500;
    static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 6);
    static final int RAW = Integer.getInteger("bench.e2e.raw", 200_000);
    static final Duration PACED = Duration.ofSeconds(Long.getLong("bench.e2e.paced-seconds", 30));
    /** Replicas of the collector, aggregator, eval-runner and alert-manager ({@code -Dbench.e2e.replicas=2}). */
    static final int REPLICAS = Integer.getInteger("bench.e2e.replicas", 1);

    private static final String TRACE_MARK = "a".repeat(24);
    private static final String SPAN_MARK = "b".repeat(10);

    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(4))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Map<String, Long> peakRss = new ConcurrentHashMap<>();
    private LoupeStackAccess stack;
    private List<String> collectors = List.of();
    private List<String> aggregators = List.of();
    private final AtomicLong nextCollector = new AtomicLong();

    @Test
    void endToEnd() throws Exception {
        stack = LoupeStackAccess.full();
        if (REPLICAS > 1) {
            stack.startReplicas(REPLICAS);
        }
        collectors = stack.urls("trace-collector");
        aggregators = stack.urls("metrics-aggregator");
        log("replicas: " + REPLICAS + " (collectors " + collectors + ", aggregators " + aggregators + ")");
        try (KafkaWatch kafka = new KafkaWatch(stack.kafkaBootstrap());
                Connection db = DriverManager.getConnection(
                        stack.database().jdbcUrl(),
                        stack.database().settings().user(),
                        stack.database().settings().password())) {
            StringBuilder report = new StringBuilder();
            Thread.sleep(20_000); // let start-up settle before the idle RSS
            Map<String, Long> idle = new LinkedHashMap<>();
            stack.services().forEach(s -> idle.put(s, stack.rssKib(s)));
            log("idle RSS (KiB): " + idle);

            double producer = rawProducer();
            log(String.format("raw Kafka producer: %,.0f records/s", producer));
            double copy = rawCopy(db);
            log(String.format("raw COPY: %,.0f rows/s", copy));

            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(
                    () -> stack.services().forEach(s -> peakRss.merge(s, stack.rssKib(s), Math::max)),
                    0,
                    500,
                    TimeUnit.MILLISECONDS);
            List<String> templates = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                templates.add(jsonTemplate(PER_REQUEST));
            }
            AtomicLong next = new AtomicLong();
            Supplier<byte[]> jsonBodies =
                    () -> jsonBody(templates.get((int) (next.getAndIncrement() % templates.size())));
            Bulk warmUp = bulk("/v1/spans", "application/json", jsonBodies, SPANS / 10);
            log(String.format("warm-up (discarded): %,d spans, %,.0f spans/s", warmUp.spans(), warmUp.endToEnd()));
            drain(kafka, "the warm-up");
            Bulk json = bulk("/v1/spans", "application/json", jsonBodies, SPANS);
            log(String.format(
                    "native JSON end to end: %,.0f spans/s (%,d spans in %.1f s; accepted at %,.0f spans/s)",
                    json.endToEnd(), json.spans(), json.seconds(), json.accepted()));
            double jsonDrain = drain(kafka, "the native JSON run");
            Bulk otlp = bulk("/v1/traces", "application/x-protobuf", () -> otlpBody(PER_REQUEST), SPANS);
            log(String.format(
                    "OTLP protobuf end to end: %,.0f spans/s (%,d spans in %.1f s; accepted at %,.0f spans/s)",
                    otlp.endToEnd(), otlp.spans(), otlp.seconds(), otlp.accepted()));
            double otlpDrain = drain(kafka, "the OTLP run");
            String small = jsonTemplate(50);
            Paced pacedJson = paced(db, "/v1/spans", "application/json", () -> jsonBody(small));
            drain(kafka, "the paced native JSON run");
            Paced pacedOtlp = paced(db, "/v1/traces", "application/x-protobuf", () -> otlpBody(50));
            sampler.shutdownNow();

            report.append(String.format(
                    "| measure | native JSON | OTLP protobuf | reference | JSON / OTLP as a share of the reference | goal |%n"
                            + "|---|---|---|---|---|---|%n"));
            report.append(String.format(
                    "| end to end, HTTP → committed rows and rollups (%,d spans, %d × %d in flight) "
                            + "| %,.0f spans/s | %,.0f spans/s | COPY %,.0f rows/s | %.2f / %.2f | ≥ 15,000 (JSON) / 12,000 (OTLP) spans/s and ≥ 0.30 of COPY |%n",
                    SPANS,
                    CONCURRENCY,
                    PER_REQUEST,
                    json.endToEnd(),
                    otlp.endToEnd(),
                    copy,
                    json.endToEnd() / copy,
                    otlp.endToEnd() / copy));
            report.append(String.format(
                    "| the rest of the pipeline (decisions, feedback, windows) drained, after the last span was stored "
                            + "| %.1f s | %.1f s | | | reported |%n",
                    jsonDrain, otlpDrain));
            report.append(String.format(
                    "| accepted by the collector (same runs) | %,.0f spans/s | %,.0f spans/s "
                            + "| Kafka producer %,.0f records/s | %.2f / %.2f | reported |%n",
                    json.accepted(),
                    otlp.accepted(),
                    producer,
                    json.accepted() / producer,
                    otlp.accepted() / producer));
            report.append(String.format(
                    "| accept p50 / p99 at 5,000 spans/s (100 req/s × 50) | %.1f / %.1f ms | %.1f / %.1f ms "
                            + "| | | p99 < 50 ms |%n",
                    pacedJson.p50(), pacedJson.p99(), pacedOtlp.p50(), pacedOtlp.p99()));
            report.append(String.format(
                    "| visibility p50 / p99 at 5,000 spans/s (accepted → every span of its first "
                            + "trace in the database; polled every 20 ms) "
                            + "| %.0f / %.0f ms | %.0f / %.0f ms | | | p99 < 2 s |%n",
                    pacedJson.visibleP50(), pacedJson.visibleP99(), pacedOtlp.visibleP50(), pacedOtlp.visibleP99()));
            report.append(String.format(
                    "| non-2xx answers | %,d | %,d | | | none |%n",
                    json.failures() + pacedJson.failures(), otlp.failures() + pacedOtlp.failures()));
            report.append(
                    String.format("%n| service | RSS idle | RSS peak under load | goal (idle) |%n|---|---|---|---|%n"));
            for (String s : stack.services()) {
                report.append(String.format(
                        "| %s | %,d MiB | %,d MiB | ≤ 350 MiB |%n",
                        s, idle.get(s) / 1024, peakRss.getOrDefault(s, -1L) / 1024));
            }
            boolean jsonBest = json.endToEnd() >= otlp.endToEnd();
            report.append(String.format(
                    "%nEnd-to-end: %.0f spans/s%n%n(the better of the two formats: %s; the other: %.0f spans/s)%n",
                    Math.max(json.endToEnd(), otlp.endToEnd()),
                    jsonBest ? "native JSON" : "OTLP protobuf",
                    Math.min(json.endToEnd(), otlp.endToEnd())));
            report.append(String.format(
                    "%nMachine: %d cores, %s %s, %s, %d GiB; JVM %s; service JVM args: %s; "
                            + "%s; the load generator, broker, five services and PostgreSQL share the machine; "
                            + "replicas of the collector, aggregator, eval-runner and alert-manager: %d%n",
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"),
                    System.getProperty("os.version"),
                    IngestBenchmark.cpuModel(),
                    memoryGib(),
                    System.getProperty("java.version"),
                    System.getProperty("loupe.e2e.jvm-args", "(test defaults)"),
                    ServerSettings.describe(db),
                    REPLICAS));
            Path out = Path.of("target/benchmarks/end-to-end.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report.toString());
            System.out.println("\n=== End-to-end benchmark ===\n" + report);
        } finally {
            stack.close();
        }
    }

    /** Sends {@code spans} spans, {@link #CONCURRENCY} requests in flight, and waits until all are stored. */
    private Bulk bulk(String path, String type, Supplier<byte[]> body, int spans) throws Exception {
        long before = storedSpans();
        int requests = spans / PER_REQUEST;
        Semaphore slots = new Semaphore(CONCURRENCY);
        AtomicLong failures = new AtomicLong();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long begin = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            slots.acquire();
            byte[] b = body.get();
            pending.add(send(path, type, b).whenComplete((status, e) -> {
                if (e != null || status != 200) {
                    failures.incrementAndGet();
                }
                slots.release();
            }));
            if (i % 200 == 199) {
                log(String.format(
                        "  … %,d of %,d spans sent, %,d stored",
                        (long) (i + 1) * PER_REQUEST, spans, storedSpans() - before));
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        double acceptSeconds = (System.nanoTime() - begin) / 1e9;
        long target = before + (requests - failures.get()) * PER_REQUEST;
        while (storedSpans() < target) {
            Thread.sleep(100);
            if ((System.nanoTime() - begin) / 1e9 > 1800) {
                throw new IllegalStateException("spans not all stored after 30 minutes");
            }
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        long stored = target - before;
        return new Bulk(stored, seconds, stored / seconds, stored / acceptSeconds, failures.get());
    }

    record Bulk(long spans, double seconds, double endToEnd, double accepted, long failures) {}

    /**
     * Waits until every consumer group has committed everything on its topics (the decisions a run's roots made are
     * still being evaluated and counted after its last span is stored), so that no phase is measured while the
     * previous one's work still holds the cores. Returns how long that took.
     */
    private static double drain(KafkaWatch kafka, String after) throws Exception {
        long begin = System.nanoTime();
        Map<String, Long> lag = kafka.lagByGroup();
        while (lag.values().stream().anyMatch(l -> l > 0)) {
            if ((System.nanoTime() - begin) / 1e9 > 900) {
                throw new IllegalStateException("consumer groups not drained 15 minutes after " + after + ": " + lag);
            }
            Thread.sleep(500);
            lag = kafka.lagByGroup();
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        log(String.format("every consumer group drained %.1f s after %s", seconds, after));
        return seconds;
    }

    /** 100 requests/s of 50 spans for {@link #PACED}: accept latency from the scheduled time, and visibility. */
    private Paced paced(Connection db, String path, String type, Supplier<byte[]> body) throws Exception {
        Histogram accept = new Histogram(60_000_000_000L, 3);
        AtomicLong failures = new AtomicLong();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long interval = 10_000_000L;
        int n = (int) (PACED.toNanos() / interval);
        List<byte[]> bodies = new ArrayList<>(n); // made before the clock starts: the schedule must not wait for them
        List<String> traceIds = new ArrayList<>(n);
        Map<String, Integer> expectedSpans = new ConcurrentHashMap<>();
        for (int i = 0; i < n; i++) {
            bodies.add(body.get());
            Map.Entry<String, Integer> first = firstTrace(bodies.get(i), type);
            traceIds.add(first.getKey());
            expectedSpans.put(first.getKey(), first.getValue());
        }
        Histogram visible;
        long invisible;
        try (VisibilityWatch watch = new VisibilityWatch(db, stack.projectId())) {
            long begin = System.nanoTime() + 200_000_000L;
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long scheduled = begin + i * interval;
                byte[] b = bodies.get(i);
                String traceId = traceIds.get(i);
                CompletableFuture<Void> done = new CompletableFuture<>();
                ticker.schedule(
                        () -> send(path, type, b).whenComplete((status, e) -> {
                            long now = System.nanoTime();
                            accept.recordValue(Math.max(0, now - scheduled));
                            if (e == null && status == 200) {
                                watch.accepted(traceId, expectedSpans.get(traceId), now);
                            } else {
                                failures.incrementAndGet();
                            }
                            done.complete(null);
                        }),
                        Math.max(0, scheduled - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                pending.add(done);
            }
            long deadline = begin + PACED.toNanos() + 120_000_000_000L;
            while ((watch.waiting() > 0 || pending.stream().anyMatch(f -> !f.isDone()))
                    && System.nanoTime() < deadline) {
                watch.poll();
                Thread.sleep(VisibilityWatch.POLL_MILLIS);
            }
            visible = watch.visible();
            invisible = watch.waiting();
        }
        ticker.shutdown();
        return new Paced(
                accept.getValueAtPercentile(50) / 1e6,
                accept.getValueAtPercentile(99) / 1e6,
                visible.getValueAtPercentile(50) / 1e6,
                visible.getValueAtPercentile(99) / 1e6,
                failures.get() + invisible);
    }

    record Paced(double p50, double p99, double visibleP50, double visibleP99, long failures) {}

    /** The first trace of a request and how many of its spans the request holds. */
    private static Map.Entry<String, Integer> firstTrace(byte[] body, String type) throws Exception {
        List<String> traceIds = new ArrayList<>();
        if (type.equals("application/json")) {
            EventJson.mapper()
                    .readTree(body)
                    .path("spans")
                    .forEach(span -> traceIds.add(span.path("traceId").asText()));
        } else {
            ExportTraceServiceRequest.parseFrom(body)
                    .getResourceSpans(0)
                    .getScopeSpans(0)
                    .getSpansList()
                    .forEach(span -> traceIds.add(
                            HexFormat.of().formatHex(span.getTraceId().toByteArray())));
        }
        String first = traceIds.get(0);
        return Map.entry(first, (int) traceIds.stream().filter(first::equals).count());
    }

    private CompletableFuture<Integer> send(String path, String type, byte[] body) {
        return http.sendAsync(
                        // requests go to the collectors in turn, as a load balancer's would
                        HttpRequest.newBuilder(URI.create(
                                        collectors.get((int) (nextCollector.getAndIncrement() % collectors.size()))
                                                + path))
                                .timeout(Duration.ofSeconds(60))
                                .header("Authorization", "Bearer " + stack.secretKey())
                                .header("Content-Type", type)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode);
    }

    /**
     * A native request of {@code spans} spans shaped like traffic: traces of 3–10 spans (a root naming one of five
     * features, LLM calls on one of four models, now and then a tool call), 2,000 sessions, start times spread over
     * the last hour, so every batch touches many rollup cells. Marks: the first 24 hex digits of every trace id and
     * the first 10 of every span id, replaced per request.
     */
    private static String jsonTemplate(int spans) {
        SplittableRandom r = new SplittableRandom(spans * 31L + System.nanoTime());
        String[] features = {"support-rag", "summarise", "classify", "agent", "search"};
        String[] models = {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "llama-3-70b"};
        Instant now = Instant.now();
        List<Map<String, Object>> items = new ArrayList<>();
        int trace = 0;
        while (items.size() < spans) {
            int size = Math.min(3 + r.nextInt(8), spans - items.size());
            String traceId = TRACE_MARK + String.format("%08x", trace++);
            String rootId = SPAN_MARK + String.format("%06x", items.size());
            Instant start = now.minusMillis(r.nextLong(3_600_000L));
            String session = "s-" + r.nextInt(2000);
            String feature = features[r.nextInt(features.length)];
            for (int i = 0; i < size; i++) {
                String model = models[r.nextInt(models.length)];
                TestSpans span = TestSpans.llm()
                        .with("traceId", traceId)
                        .with("spanId", i == 0 ? rootId : SPAN_MARK + String.format("%06x", items.size()))
                        .with("startTime", start.plusMillis(i * 40L).toString())
                        .with(
                                "endTime",
                                start.plusMillis(i * 40L + 300 + r.nextInt(2000))
                                        .toString())
                        .with("sessionId", session)
                        .with("userId", "u-" + r.nextInt(500));
                if (i == 0) {
                    span.with("kind", "CHAIN")
                            .with("name", feature)
                            .with("feature", feature)
                            .without("model")
                            .without("provider")
                            .without("prompt")
                            .without("completion")
                            .without("inputTokens")
                            .without("outputTokens");
                } else if (i % 4 == 3) {
                    span.with("kind", "TOOL")
                            .with("name", "lookup_order")
                            .with("toolName", "lookup_order")
                            .with("parentSpanId", rootId)
                            .without("model")
                            .without("provider")
                            .without("feature")
                            .without("prompt")
                            .without("completion")
                            .without("inputTokens")
                            .without("outputTokens")
                            .with("status", r.nextInt(50) == 0 ? "ERROR" : "SUCCESS");
                } else {
                    span.with("model", model)
                            .with("name", "chat " + model)
                            .with("parentSpanId", rootId)
                            .without("feature")
                            .with("prompt", IngestBenchmark.PROMPT)
                            .with("completion", IngestBenchmark.COMPLETION)
                            .with("inputTokens", 300 + r.nextInt(1500))
                            .with("outputTokens", 50 + r.nextInt(400));
                }
                items.add(span.build());
            }
        }
        return EventJson.encode(Map.of("spans", items));
    }

    /** The same shape as {@link #jsonTemplate} in OTLP protobuf (GenAI attributes), with fresh ids. */
    private static byte[] otlpBody(int spans) {
        SplittableRandom r = new SplittableRandom(System.nanoTime());
        String[] features = {"support-rag", "summarise", "classify", "agent", "search"};
        String[] models = {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "llama-3-70b"};
        long now = System.currentTimeMillis() * 1_000_000L;
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        int made = 0;
        while (made < spans) {
            int size = Math.min(3 + r.nextInt(8), spans - made);
            ByteString traceId = ByteString.copyFrom(HexFormat.of().parseHex(TestSpans.randomHex(32)));
            ByteString rootId = ByteString.copyFrom(HexFormat.of().parseHex(TestSpans.randomHex(16)));
            long start = now - r.nextLong(3_600_000L) * 1_000_000L;
            String feature = features[r.nextInt(features.length)];
            String session = "s-" + r.nextInt(2000);
            for (int i = 0; i < size; i++, made++) {
                long begin = start + i * 40_000_000L;
                Span.Builder span = Span.newBuilder()
                        .setTraceId(traceId)
                        .setStartTimeUnixNano(begin)
                        .setEndTimeUnixNano(begin + (300L + r.nextInt(2000)) * 1_000_000L)
                        .addAttributes(IngestBenchmark.attr("session.id", session));
                if (i == 0) {
                    span.setSpanId(rootId)
                            .setName(feature)
                            .addAttributes(IngestBenchmark.attr("loupe.feature", feature));
                } else {
                    String model = models[r.nextInt(models.length)];
                    span.setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(TestSpans.randomHex(16))))
                            .setParentSpanId(rootId)
                            .setName("chat " + model)
                            .addAttributes(IngestBenchmark.attr("gen_ai.operation.name", "chat"))
                            .addAttributes(IngestBenchmark.attr("gen_ai.provider.name", "openai"))
                            .addAttributes(IngestBenchmark.attr("gen_ai.request.model", model))
                            .addAttributes(IngestBenchmark.number("gen_ai.usage.input_tokens", 300 + r.nextInt(1500)))
                            .addAttributes(IngestBenchmark.number("gen_ai.usage.output_tokens", 50 + r.nextInt(400)))
                            .addAttributes(IngestBenchmark.attr("gen_ai.prompt", IngestBenchmark.PROMPT))
                            .addAttributes(IngestBenchmark.attr("gen_ai.completion", IngestBenchmark.COMPLETION));
                }
                scope.addSpans(span);
            }
        }
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
                .build()
                .toByteArray();
    }

    private static byte[] jsonBody(String template) {
        return template.replace(TRACE_MARK, TestSpans.randomHex(24))
                .replace(SPAN_MARK, TestSpans.randomHex(10))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Spans stored, summed over every aggregator replica. */
    private long storedSpans() throws Exception {
        double total = 0;
        for (String aggregator : aggregators) {
            HttpResponse<String> metrics = http.send(
                    HttpRequest.newBuilder(URI.create(aggregator + "/q/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String line : metrics.body().split("\n")) {
                if (line.startsWith("loupe_aggregator_spans_stored_total")) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return (long) total;
    }

    private double rawProducer() throws Exception {
        String topic = "bench.raw-spans";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            records.add(EventJson.encode(IngestBenchmark.spanRecord()));
        }
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4",
                ProducerConfig.LINGER_MS_CONFIG,
                5);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RAW / 4; i++) { // warm-up
                producer.send(new ProducerRecord<>(topic, TestSpans.randomHex(32), records.get(i % records.size())));
            }
            producer.flush();
            long begin = System.nanoTime();
            for (int i = 0; i < RAW; i++) {
                producer.send(new ProducerRecord<>(topic, TestSpans.randomHex(32), records.get(i % records.size())));
            }
            producer.flush();
            return RAW / ((System.nanoTime() - begin) / 1e9);
        }
    }

    /** COPY of the same span rows into a copy of telemetry.spans with all its indexes. */
    private static double rawCopy(Connection db) throws Exception {
        try (Statement s = db.createStatement()) {
            s.execute("create table public.bench_copy (like telemetry.spans including all)");
        }
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < RAW; i++) {
            SpanRecord r = IngestBenchmark.spanRecord();
            csv.append(String.join(
                            ",",
                            r.projectId(),
                            r.traceId(),
                            r.spanId(),
                            r.kind().name(),
                            q(r.name()),
                            r.provider(),
                            r.model(),
                            r.startTime().plusMillis(i).toString(),
                            r.endTime().toString(),
                            Long.toString(r.latencyMs()),
                            Long.toString(r.inputTokens()),
                            Long.toString(r.outputTokens()),
                            r.costUsd().toPlainString(),
                            q(r.prompt()),
                            q(r.completion()),
                            r.status().name(),
                            q(r.feature()),
                            "1",
                            Instant.now().toString(),
                            "false"))
                    .append('\n');
        }
        long begin = System.nanoTime();
        db.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(
                        "copy public.bench_copy (project_id, trace_id, span_id, kind, "
                                + "name, provider, model, start_time, end_time, latency_ms, input_tokens, output_tokens, cost_usd, prompt, "
                                + "completion, status, feature, schema_version, received_at, truncated) from stdin (format csv)",
                        new StringReader(csv.toString()));
        double rate = RAW / ((System.nanoTime() - begin) / 1e9);
        try (Statement s = db.createStatement()) {
            s.execute("drop table public.bench_copy");
        }
        return rate;
    }

    private static String q(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }

    private static long memoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 / 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }

    private static void log(String line) {
        System.out.println("[bench] " + line);
    }
}
