package dev.loupe.simulator;

import dev.loupe.client.ClientMetrics;
import dev.loupe.client.Feedback;
import dev.loupe.client.LoupeClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated product runs as several instances, each with its own client (and so its own flusher): a trace's
 * spans and its decision go through the instance that served it, as in a real deployment.
 */
final class Replicas implements AutoCloseable {
    private final List<LoupeClient> clients = new ArrayList<>();

    Replicas(int n, Options options, DemoProject project) {
        for (int i = 0; i < n; i++) {
            clients.add(LoupeClient.builder()
                    .collector(options.collector().toString(), project.ingestKey())
                    .feedback(options.feedback().toString(), project.feedbackKey())
                    .queueCapacity(50_000)
                    .maxBatchItems(500)
                    .flushInterval(Duration.ofMillis(200))
                    .build());
        }
    }

    LoupeClient of(String traceId) {
        return clients.get(Math.floorMod(traceId.hashCode(), clients.size()));
    }

    String feedback(Feedback feedback) {
        return clients.get(0).feedback(feedback);
    }

    /** Flushes every instance within {@code timeout} in all (not per instance: four would wait four times as long). */
    void flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        clients.forEach(c -> c.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
    }

    /** The instances' counters, summed. */
    ClientMetrics metrics() {
        long[] m = new long[8];
        for (LoupeClient c : clients) {
            ClientMetrics x = c.metrics();
            long[] v = {
                x.queued(), x.enqueued(), x.sent(), x.dropped(), x.rejected(), x.failed(), x.retries(), x.requests()
            };
            for (int i = 0; i < m.length; i++) {
                m[i] += v[i];
            }
        }
        return new ClientMetrics(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
    }

    @Override
    public void close() {
        clients.forEach(LoupeClient::close);
    }
}
