package dev.loupe.client;

import java.util.concurrent.atomic.AtomicLong;

/** The live counters behind {@link ClientMetrics}: written by the app's threads and the flusher. */
final class Counters {
    final AtomicLong enqueued = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong requests = new AtomicLong();

    ClientMetrics snapshot(long queued) {
        return new ClientMetrics(
                queued,
                enqueued.get(),
                sent.get(),
                dropped.get(),
                rejected.get(),
                failed.get(),
                retries.get(),
                requests.get());
    }
}
