package dev.loupe.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends batches to the collector's native API and accounts for every item: accepted → sent, refused one by
 * one → rejected, batch given up → failed. Retries follow {@link RetryPolicy}; a final 4xx is logged at
 * WARNING the first time per status and path (at DEBUG after that: the counters keep the tally).
 */
final class CollectorSender implements BatchFlusher.BatchSink {
    private static final System.Logger LOG = System.getLogger(LoupeClient.class.getName());

    private final HttpClient http;
    private final String collector;
    private final String authorization;
    private final Duration requestTimeout;
    private final int maxBatchBytes;
    private final RetryPolicy retries;
    private final ClientListener listener;
    private final Counters counters;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    CollectorSender(
            HttpClient http,
            String collector,
            String key,
            Duration requestTimeout,
            int maxBatchBytes,
            RetryPolicy retries,
            ClientListener listener,
            Counters counters) {
        this.http = http;
        this.collector = collector;
        this.authorization = "Bearer " + key;
        this.requestTimeout = requestTimeout;
        this.maxBatchBytes = maxBatchBytes;
        this.retries = retries;
        this.listener = listener;
        this.counters = counters;
    }

    @Override
    public void send(List<Telemetry> batch) throws InterruptedException {
        List<BatchBodies.Body> bodies = BatchBodies.of(batch, maxBatchBytes);
        for (int i = 0; i < bodies.size(); i++) {
            try {
                send(bodies.get(i));
            } catch (InterruptedException e) {
                // close() gave up waiting: this body and the ones after it are not sent
                bodies.subList(i, bodies.size()).forEach(b -> counters.failed.addAndGet(b.items()));
                throw e;
            }
        }
    }

    private void send(BatchBodies.Body body) throws InterruptedException {
        String path = body.endpoint().path;
        HttpRequest request = HttpRequest.newBuilder(URI.create(collector + path))
                .timeout(requestTimeout)
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()))
                .build();
        long begun = System.nanoTime();
        for (int retry = 1; ; retry++) {
            int status;
            String retryAfter = null;
            String error;
            counters.requests.incrementAndGet();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                if (status >= 200 && status < 300) {
                    accepted(path, body.items(), response.body());
                    return;
                }
                retryAfter = response.headers().firstValue("Retry-After").orElse(null);
                Problem problem = Problem.parse(response.body());
                if (!RetryPolicy.retryable(status)) {
                    failed(path, body.items(), status, problem.title(), problem.detail(), problem.toString());
                    return;
                }
                error = problem.toString();
            } catch (IOException e) { // includes HttpTimeoutException
                status = 0;
                error = e.toString();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - begun);
            Optional<Duration> delay = retries.nextDelay(
                    status,
                    retryAfter,
                    retry,
                    elapsed,
                    Instant.now(),
                    () -> ThreadLocalRandom.current().nextDouble());
            if (delay.isEmpty()) {
                String title = "retries exhausted after " + retry + " attempts in " + elapsed.toSeconds() + " s";
                failed(path, body.items(), status, title, error, title + "; last: " + error);
                return;
            }
            counters.retries.incrementAndGet();
            listener.onRetry(new ClientListener.Retry(path, status, retry, delay.get(), retryAfter, error));
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "Loupe {0} answered {1} ({2}); retry {3} in {4} ms",
                    path,
                    status,
                    error,
                    retry,
                    delay.get().toMillis());
            Thread.sleep(delay.get().toMillis());
        }
    }

    private void accepted(String path, int items, String body) {
        JsonNode answer = Problem.parseObject(body); // a 2xx means Kafka acknowledged, whatever the body says
        JsonNode rejected = answer.get("rejected");
        List<ClientListener.Rejection> rejections = new ArrayList<>();
        if (rejected != null && rejected.isArray()) {
            for (JsonNode r : rejected) {
                rejections.add(new ClientListener.Rejection(
                        r.path("index").asInt(-1),
                        r.path("field").asText(null),
                        r.path("reason").asText(null)));
            }
        }
        JsonNode accepted = answer.get("accepted");
        counters.sent.addAndGet(
                accepted != null && accepted.isNumber() ? accepted.asLong() : items - rejections.size());
        if (!rejections.isEmpty()) {
            counters.rejected.addAndGet(rejections.size());
            ClientListener.Rejection first = rejections.get(0);
            String field = first.field() == null ? "" : first.field().replaceAll("\\[\\d+]", "[]");
            log(
                    "rejected " + path + " " + field,
                    "Loupe collector rejected {0} of {1} items at {2}; first: {3}: {4}",
                    rejections.size(),
                    items,
                    path,
                    first.field(),
                    first.reason());
            listener.onRejected(path, List.copyOf(rejections));
        }
    }

    private void failed(String path, int items, int status, String title, String detail, String reason) {
        counters.failed.addAndGet(items);
        log(
                "failed " + path + " " + status,
                "Loupe gave up a batch of {0} items to {1} (status {2}): {3}",
                items,
                path,
                status,
                reason);
        listener.onBatchFailed(new ClientListener.BatchFailure(path, items, status, title, detail));
    }

    /** WARNING the first time for a key (status, path, field…), DEBUG after that. */
    private void log(String key, String format, Object... args) {
        boolean first = warned.size() < 1_000 && warned.add(key);
        LOG.log(first ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, format, args);
    }
}
