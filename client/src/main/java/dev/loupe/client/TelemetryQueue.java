package dev.loupe.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded hand-off between the app's threads and the flusher. {@link #offer} never blocks: past the
 * capacity an item is dropped and counted. Flush markers travel in the same FIFO order but do not count
 * against the capacity, so a flush can always be asked for, and is done when everything before it was handled.
 */
final class TelemetryQueue {
    private final BlockingQueue<Object> entries = new LinkedBlockingQueue<>();
    private final AtomicInteger items = new AtomicInteger();
    private final int capacity;
    private final Counters counters;
    private volatile boolean closed;

    TelemetryQueue(int capacity, Counters counters) {
        this.capacity = capacity;
        this.counters = counters;
    }

    /** A point in the queue; {@link #await} returns once the flusher has handled every item before it. */
    static final class Marker {
        private final CountDownLatch reached = new CountDownLatch(1);

        void reached() {
            reached.countDown();
        }

        boolean await(long timeout, TimeUnit unit) throws InterruptedException {
            return reached.await(timeout, unit);
        }
    }

    /** Queues the item, or counts it as dropped when the queue is full or closed. */
    boolean offer(Telemetry item) {
        if (closed) {
            counters.dropped.incrementAndGet();
            return false;
        }
        if (items.incrementAndGet() > capacity) {
            items.decrementAndGet();
            counters.dropped.incrementAndGet();
            return false;
        }
        counters.enqueued.incrementAndGet();
        entries.add(item);
        return true;
    }

    Marker mark() {
        Marker marker = new Marker();
        entries.add(marker);
        return marker;
    }

    /** The next item or marker, waiting at most {@code nanos}; null when none came. */
    Object poll(long nanos) throws InterruptedException {
        return taken(entries.poll(nanos, TimeUnit.NANOSECONDS));
    }

    /** The next item or marker, waiting as long as it takes. */
    Object take() throws InterruptedException {
        return taken(entries.take());
    }

    /** Refuses every later {@link #offer}; what is queued stays to be sent or drained. */
    void close() {
        closed = true;
    }

    /** Removes what is still queued (releasing markers) and returns the items. */
    List<Telemetry> drain() {
        List<Object> rest = new ArrayList<>();
        entries.drainTo(rest);
        List<Telemetry> left = new ArrayList<>();
        for (Object entry : rest) {
            if (taken(entry) instanceof Telemetry item) {
                left.add(item);
            } else {
                ((Marker) entry).reached();
            }
        }
        return left;
    }

    /** Items waiting (markers not counted). */
    int size() {
        return items.get();
    }

    private Object taken(Object entry) {
        if (entry instanceof Telemetry) {
            items.decrementAndGet();
        }
        return entry;
    }
}
