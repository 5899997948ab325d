package dev.loupe.client;

/**
 * A snapshot of what the client did with spans and decisions, counted since it was built. Once the queue is
 * idle, {@code enqueued == sent + rejected + failed}; {@code dropped} items never entered the queue.
 *
 * @param queued   items waiting in the queue now (not counting the batch being sent)
 * @param enqueued items ever accepted into the queue
 * @param sent     items the collector accepted (Kafka acknowledged them)
 * @param dropped  items refused at {@code send} because the queue was full or the client closed
 * @param rejected items the collector refused one by one (200 with {@code rejected}); never retried
 * @param failed   items of batches given up: a 4xx other than 429, the retry budget spent, or still queued
 *                 when {@code close()} timed out
 * @param retries  requests repeated after a 429, a 5xx, an I/O error or a timeout
 * @param requests HTTP requests made to the collector, retries included
 */
public record ClientMetrics(
        long queued, long enqueued, long sent, long dropped, long rejected, long failed, long retries, long requests) {}
