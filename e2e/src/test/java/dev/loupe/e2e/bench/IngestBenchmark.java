package dev.loupe.e2e.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.e2e.LoupeStackAccess;
import dev.loupe.testing.TestSpans;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Ingest benchmark (not a test: it asserts nothing and runs only with {@code -Pbenchmark}). Starts Kafka,
 * the aggregator (to create a project, then stopped) and the packaged collector as separate processes, and
 * measures accepted spans/s and accept latency for native JSON, OTLP/HTTP protobuf and OTLP/gRPC (the same protobuf
 * requests, grpc-java's Netty transport on one channel) with ~1 KB spans, beside a raw Kafka producer sending the same
 * records to the same broker. Writes e2e/target/benchmarks/ingest.md.
 */
class IngestBenchmark {
    static final int SPANS_PER_REQUEST = 500;
    static final Duration WARMUP = Duration.ofSeconds(Long.getLong("bench.warmup", 8));
    static final Duration MEASURE = Duration.ofSeconds(Long.getLong("bench.seconds", 20));
    static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 6);
    static final String PROMPT = ("You are a support assistant for an online shop. Answer using only the context. "
                    + "Context: refunds are accepted within 30 days of delivery when the item is unused and in its original "
                    + "packaging; shipping costs are refunded only for defective items. Exchanges follow the same rules. ")
            .repeat(2);
    static final String COMPLETION = "Refunds are accepted within 30 days of delivery if the item is unused and in "
            + "its original packaging. Shipping is refunded only for defective items.";

    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(4))
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void ingest() throws Exception {
        LoupeStackAccess stack = LoupeStackAccess.collectorOnly();
        try {
            String url = stack.collectorUrl();
            String key = stack.secretKey();
            List<byte[]> json = bodies(64, this::jsonBody);
            List<byte[]> otlp = bodies(64, this::otlpBody);
            StringBuilder report = new StringBuilder();
            report.append(
                    "| run | spans/s accepted | p50 ms | p99 ms | requests | non-2xx |\n|---|---|---|---|---|---|\n");

            Result jsonMax = closedLoop(url + "/v1/spans", "application/json", key, json);
            report.append(
                    row("native JSON, closed loop, " + CONCURRENCY + " in flight × " + SPANS_PER_REQUEST, jsonMax));
            Result otlpMax = closedLoop(url + "/v1/traces", "application/x-protobuf", key, otlp);
            report.append(
                    row("OTLP protobuf, closed loop, " + CONCURRENCY + " in flight × " + SPANS_PER_REQUEST, otlpMax));
            Result grpcMax;
            ManagedChannel channel = grpcChannel(stack.collectorGrpcUrl());
            try {
                Function<byte[], CompletableFuture<Integer>> grpc = grpcSender(channel, key);
                run(grpc, otlp, WARMUP, null); // warm-up, discarded
                grpcMax = run(grpc, otlp, MEASURE, null);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            report.append(row(
                    "OTLP/gRPC (same requests), closed loop, " + CONCURRENCY + " in flight × " + SPANS_PER_REQUEST,
                    grpcMax));
            List<byte[]> otlp50 = bodies(64, () -> otlpBodyOf(50));
            Result otlpPaced = openLoop(url + "/v1/traces", "application/x-protobuf", key, otlp50, 100);
            report.append(row("OTLP protobuf, open loop 5,000 spans/s (100 req/s × 50)", otlpPaced));
            List<byte[]> json50 = bodies(64, () -> jsonBodyOf(50));
            Result jsonPaced = openLoop(url + "/v1/spans", "application/json", key, json50, 100);
            report.append(row("native JSON, open loop 5,000 spans/s (100 req/s × 50)", jsonPaced));

            double raw = rawProducer(stack.kafkaBootstrap());
            report.append(
                            "\nRaw Kafka producer, same broker, same ~1.3 KB SpanRecord JSON, acks=all, idempotent, lz4: ")
                    .append(String.format("%,.0f records/s", raw))
                    .append('\n');
            report.append(String.format(
                    "Ratio OTLP protobuf accepted / raw producer: %.2f; OTLP/gRPC / raw: %.2f; native JSON / raw: %.2f%n",
                    otlpMax.spansPerSecond() / raw, grpcMax.spansPerSecond() / raw, jsonMax.spansPerSecond() / raw));
            report.append(String.format(
                    "%nMachine: %d cores, %s %s, %s; JVM %s; service JVM args: %s%n",
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"),
                    System.getProperty("os.version"),
                    cpuModel(),
                    System.getProperty("java.version"),
                    System.getProperty("loupe.e2e.jvm-args", "(test defaults)")));
            Path out = Path.of("target/benchmarks/ingest.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report.toString());
            System.out.println("\n=== Ingest benchmark ===\n" + report);
        } finally {
            stack.close();
        }
    }

    private Result closedLoop(String url, String type, String key, List<byte[]> bodies) throws Exception {
        run(url, type, key, bodies, WARMUP, null); // warm-up, discarded
        return run(url, type, key, bodies, MEASURE, null);
    }

    private Result openLoop(String url, String type, String key, List<byte[]> bodies, int perSecond) throws Exception {
        run(url, type, key, bodies, WARMUP, perSecond);
        return run(url, type, key, bodies, MEASURE, perSecond);
    }

    private Result run(String url, String type, String key, List<byte[]> bodies, Duration duration, Integer perSecond)
            throws Exception {
        return run(body -> send(url, type, key, body), bodies, duration, perSecond);
    }

    /**
     * Closed loop (perSecond null): CONCURRENCY requests always in flight. Open loop: requests on a fixed schedule.
     * {@code send} answers the request's status, 200 for success (an OK gRPC call included).
     */
    private Result run(
            Function<byte[], CompletableFuture<Integer>> send,
            List<byte[]> bodies,
            Duration duration,
            Integer perSecond)
            throws Exception {
        Histogram latency = new Histogram(60_000_000_000L, 3);
        AtomicLong accepted = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long begin = System.nanoTime();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        if (perSecond == null) {
            Semaphore slots = new Semaphore(CONCURRENCY);
            int i = 0;
            while (System.nanoTime() < end) {
                slots.acquire();
                long sent = System.nanoTime();
                byte[] body = bodies.get(i++ % bodies.size());
                pending.add(send.apply(body).whenComplete((status, e) -> {
                    record(status, e, sent, latency, accepted, requests, failures, count(bodies, body));
                    slots.release();
                }));
            }
        } else {
            long interval = 1_000_000_000L / perSecond;
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            long n = duration.toNanos() / interval;
            for (long i = 0; i < n; i++) {
                long scheduled = begin + i * interval;
                byte[] body = bodies.get((int) (i % bodies.size()));
                CompletableFuture<Integer> done = new CompletableFuture<>();
                ticker.schedule(
                        () -> send.apply(body).whenComplete((status, e) -> {
                            // latency from the scheduled time, so a stall cannot hide behind fewer requests
                            record(status, e, scheduled, latency, accepted, requests, failures, count(bodies, body));
                            done.complete(0);
                        }),
                        Math.max(0, scheduled - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                pending.add(done);
            }
            ticker.shutdown();
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - begin) / 1e9;
        return new Result(
                accepted.get() / seconds,
                latency.getValueAtPercentile(50) / 1e6,
                latency.getValueAtPercentile(99) / 1e6,
                requests.get(),
                failures.get());
    }

    private static void record(
            Integer status,
            Throwable e,
            long sent,
            Histogram latency,
            AtomicLong accepted,
            AtomicLong requests,
            AtomicLong failures,
            int spans) {
        latency.recordValue(Math.max(0, System.nanoTime() - sent));
        requests.incrementAndGet();
        if (e == null && status == 200) {
            accepted.addAndGet(spans);
        } else {
            failures.incrementAndGet();
        }
    }

    private final Map<byte[], Integer> spanCounts = new java.util.IdentityHashMap<>();

    private int count(List<byte[]> bodies, byte[] body) {
        return spanCounts.getOrDefault(body, SPANS_PER_REQUEST);
    }

    private CompletableFuture<Integer> send(String url, String type, String key, byte[] body) {
        return http.sendAsync(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", type)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode);
    }

    private static ManagedChannel grpcChannel(String url) {
        URI uri = URI.create(url);
        return NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort())
                .usePlaintext()
                .build();
    }

    /** Sends a body (an ExportTraceServiceRequest) over OTLP/gRPC; 200 when the call ends OK, else 500. */
    private static Function<byte[], CompletableFuture<Integer>> grpcSender(ManagedChannel channel, String key) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        TraceServiceGrpc.TraceServiceFutureStub stub = TraceServiceGrpc.newFutureStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        Map<byte[], ExportTraceServiceRequest> parsed = new java.util.concurrent.ConcurrentHashMap<>();
        return body -> {
            ExportTraceServiceRequest request = parsed.computeIfAbsent(body, b -> {
                try {
                    return ExportTraceServiceRequest.parseFrom(b);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<Integer> done = new CompletableFuture<>();
            Futures.addCallback(
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).export(request),
                    new FutureCallback<ExportTraceServiceResponse>() {
                        @Override
                        public void onSuccess(ExportTraceServiceResponse response) {
                            done.complete(200);
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            done.complete(500);
                        }
                    },
                    MoreExecutors.directExecutor());
            return done;
        };
    }

    private double rawProducer(String bootstrap) throws Exception {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            records.add(EventJson.encode(spanRecord()));
        }
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
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
            for (Duration phase : List.of(WARMUP, MEASURE)) {
                long begin = System.nanoTime();
                long end = begin + phase.toNanos();
                long sent = 0;
                while (System.nanoTime() < end) {
                    String value = records.get((int) (sent % records.size()));
                    producer.send(new ProducerRecord<>(Topics.SPANS, TestSpans.randomHex(32), value));
                    sent++;
                }
                producer.flush();
                double rate = sent / ((System.nanoTime() - begin) / 1e9);
                if (phase == MEASURE) {
                    return rate;
                }
            }
        }
        throw new IllegalStateException();
    }

    private List<byte[]> bodies(int n, Supplier<byte[]> make) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(make.get());
        }
        return out;
    }

    private byte[] jsonBody() {
        return jsonBodyOf(SPANS_PER_REQUEST);
    }

    private byte[] jsonBodyOf(int spans) {
        String traceId = TestSpans.randomHex(32);
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < spans; i++) {
            items.add(TestSpans.llm()
                    .with("traceId", traceId)
                    .with("prompt", PROMPT)
                    .with("completion", COMPLETION)
                    .build());
        }
        byte[] body = EventJson.encode(Map.of("spans", items)).getBytes(StandardCharsets.UTF_8);
        spanCounts.put(body, spans);
        return body;
    }

    private byte[] otlpBody() {
        return otlpBodyOf(SPANS_PER_REQUEST);
    }

    private byte[] otlpBodyOf(int spans) {
        byte[] body = otlpTrace(spans);
        spanCounts.put(body, spans);
        return body;
    }

    /** One OTLP protobuf request: a trace of {@code spans} ~1 KB LLM spans (the first its root), fresh ids. */
    static byte[] otlpTrace(int spans) {
        ByteString traceId = ByteString.copyFrom(HexFormat.of().parseHex(TestSpans.randomHex(32)));
        ByteString rootId = ByteString.copyFrom(HexFormat.of().parseHex(TestSpans.randomHex(16)));
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        long start = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli() * 1_000_000L;
        for (int i = 0; i < spans; i++) {
            // one trace: the first span is its root (and yields a decision), the others are its children
            scope.addSpans(Span.newBuilder()
                    .setTraceId(traceId)
                    .setSpanId(
                            i == 0 ? rootId : ByteString.copyFrom(HexFormat.of().parseHex(TestSpans.randomHex(16))))
                    .setParentSpanId(i == 0 ? ByteString.EMPTY : rootId)
                    .setName("chat gpt-4o")
                    .setStartTimeUnixNano(start)
                    .setEndTimeUnixNano(start + 1_250_000_000L)
                    .addAttributes(attr("gen_ai.operation.name", "chat"))
                    .addAttributes(attr("gen_ai.provider.name", "openai"))
                    .addAttributes(attr("gen_ai.request.model", "gpt-4o"))
                    .addAttributes(number("gen_ai.usage.input_tokens", 812))
                    .addAttributes(number("gen_ai.usage.output_tokens", 143))
                    .addAttributes(attr("gen_ai.prompt", PROMPT))
                    .addAttributes(attr("gen_ai.completion", COMPLETION))
                    .addAttributes(attr("loupe.feature", "support-chat")));
        }
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
                .build()
                .toByteArray();
    }

    static SpanRecord spanRecord() {
        Instant start = Instant.parse("2026-11-27T10:00:00Z");
        return new SpanRecord(
                SchemaVersions.CURRENT,
                "p-bench",
                TestSpans.randomHex(32),
                TestSpans.randomHex(16),
                null,
                SpanKind.LLM,
                "chat gpt-4o",
                "openai",
                "gpt-4o",
                null,
                start,
                start.plusMillis(1250),
                1250L,
                null,
                812L,
                143L,
                null,
                null,
                null,
                new BigDecimal("0.00346"),
                PROMPT,
                COMPLETION,
                false,
                Map.of(),
                null,
                null,
                Outcome.SUCCESS,
                null,
                null,
                "support-chat",
                null,
                null,
                null,
                null,
                null,
                null,
                Map.of(),
                Map.of(),
                Instant.now());
    }

    static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    static KeyValue number(String key, long value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setIntValue(value))
                .build();
    }

    private static String row(String name, Result r) {
        return String.format(
                "| %s | %,.0f | %.1f | %.1f | %,d | %,d |%n",
                name, r.spansPerSecond(), r.p50Ms(), r.p99Ms(), r.requests(), r.failures());
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("unknown CPU");
        } catch (java.io.IOException e) {
            return "unknown CPU";
        }
    }

    record Result(double spansPerSecond, double p50Ms, double p99Ms, long requests, long failures) {}
}
