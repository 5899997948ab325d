package dev.loupe.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The background daemon thread that turns the queue into batches: a batch goes out when it holds
 * {@code maxBatchItems}, when {@code flushInterval} has passed since its first item, or when a flush marker
 * comes up. One batch at a time, so retries hold the thread and the queue, not the app, absorbs the wait.
 */
final class BatchFlusher implements Runnable {
    private static final System.Logger LOG = System.getLogger(LoupeClient.class.getName());

    /** Sends one batch and accounts for every item of it; never throws for a failed send. */
    @FunctionalInterface
    interface BatchSink {
        void send(List<Telemetry> batch) throws InterruptedException;
    }

    private final TelemetryQueue queue;
    private final BatchSink sink;
    private final int maxBatchItems;
    private final long flushIntervalNanos;
    private final Counters counters;
    private final Thread thread;

    BatchFlusher(TelemetryQueue queue, BatchSink sink, int maxBatchItems, Duration flushInterval, Counters counters) {
        this.queue = queue;
        this.sink = sink;
        this.maxBatchItems = maxBatchItems;
        this.flushIntervalNanos = flushInterval.toNanos();
        this.counters = counters;
        this.thread = new Thread(this, "loupe-client-flusher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Waits until everything queued before this call was handed to the sink and handled, or the timeout passed. */
    boolean flush(Duration timeout) throws InterruptedException {
        if (!thread.isAlive()) {
            return queue.size() == 0;
        }
        return queue.mark().await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Closes the queue, flushes it within {@code timeout}, then stops the thread; items still queued (or in a
     * send it had to interrupt) count as failed. Returns whether everything was handled in time.
     */
    boolean stop(Duration timeout) throws InterruptedException {
        queue.close();
        boolean flushed = flush(timeout);
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
        List<Telemetry> left = queue.drain();
        if (!left.isEmpty()) {
            counters.failed.addAndGet(left.size());
            LOG.log(System.Logger.Level.WARNING, "Loupe client closed with {0} items not sent", left.size());
        }
        return flushed && left.isEmpty();
    }

    @Override
    public void run() {
        List<Telemetry> batch = new ArrayList<>(maxBatchItems);
        List<TelemetryQueue.Marker> markers = new ArrayList<>();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Object next = queue.take();
                long deadline = System.nanoTime() + flushIntervalNanos;
                while (next instanceof Telemetry item) {
                    batch.add(item);
                    long wait = deadline - System.nanoTime();
                    if (batch.size() >= maxBatchItems || wait <= 0) {
                        break;
                    }
                    next = queue.poll(wait);
                }
                if (next instanceof TelemetryQueue.Marker marker) {
                    markers.add(marker);
                }
                if (!batch.isEmpty()) {
                    send(batch); // the sink owns the batch from here: it counts it even when interrupted
                }
                markers.forEach(TelemetryQueue.Marker::reached);
                markers.clear();
            }
        } catch (InterruptedException e) {
            counters.failed.addAndGet(batch.size()); // taken from the queue but not yet handed to the sink
        }
        markers.forEach(TelemetryQueue.Marker::reached);
    }

    private void send(List<Telemetry> batch) throws InterruptedException {
        try {
            sink.send(batch);
        } catch (RuntimeException e) {
            // a bug must not stop the thread: the next batches still go out
            counters.failed.addAndGet(batch.size());
            LOG.log(System.Logger.Level.ERROR, "Loupe client could not send a batch of " + batch.size(), e);
        } finally {
            batch.clear();
        }
    }
}
