package dev.loupe.e2e;

import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Load for the fault tests: clients posting span batches to the collector until stopped, remembering every
 * span sent, every span of a 2xx (acknowledged) and every status seen (an I/O failure counts as status -1).
 */
final class SpanLoad implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String collector;
    private final TestProject project;
    private final int batchSize;
    private final Supplier<TestSpans> span;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService clients;

    private SpanLoad(String collector, TestProject project, int clients, int batchSize, Supplier<TestSpans> span) {
        this.collector = collector;
        this.project = project;
        this.batchSize = batchSize;
        this.span = span;
        this.clients = Executors.newFixedThreadPool(clients);
    }

    /** Starts {@code clients} threads, each posting batches of {@code batchSize} spans back to back. */
    static SpanLoad start(String collector, TestProject project, int clients, int batchSize, Supplier<TestSpans> span) {
        SpanLoad load = new SpanLoad(collector, project, clients, batchSize, span);
        for (int c = 0; c < clients; c++) {
            load.clients.submit(load::run);
        }
        return load;
    }

    private void run() {
        while (running.get()) {
            List<TestSpans> batch = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                batch.add(span.get());
            }
            sent.addAndGet(batch.size());
            int status = post(batch);
            statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
            if (status >= 200 && status < 300) {
                batch.forEach(s -> acknowledged.add(s.spanId()));
            }
            if (status == 429 || status == 503 || status < 0) {
                pause(); // as a client honouring Retry-After would, only shorter: the test wants traffic
            }
        }
    }

    private int post(List<TestSpans> batch) {
        String body = EventJson.encode(
                Map.of("spans", batch.stream().map(TestSpans::build).toList()));
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(collector + "/v1/spans"))
                                    .timeout(Duration.ofSeconds(20))
                                    .header("Authorization", "Bearer " + project.secretKey())
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -2;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long sent() {
        return sent.get();
    }

    /** Span ids the collector answered 2xx for, so far. */
    Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    long acknowledgedCount() {
        return acknowledged.size();
    }

    long count(int status) {
        AtomicLong n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    /** Requests per status, sorted (-1: connection failed). */
    Map<Integer, Long> statuses() {
        Map<Integer, Long> copy = new TreeMap<>();
        statuses.forEach((status, n) -> copy.put(status, n.get()));
        return copy;
    }

    /** Stops the clients after their request in flight and waits for them. */
    @Override
    public void close() {
        running.set(false);
        clients.shutdown();
        try {
            if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("load clients did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
