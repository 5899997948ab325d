package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batching rules with a recording sink in place of HTTP; the interval is an hour, so no timer fires. */
class BatchFlusherTest {
    private final Counters counters = new Counters();
    private final TelemetryQueue queue = new TelemetryQueue(1_000, counters);
    private final List<Integer> batches = new CopyOnWriteArrayList<>();
    private BatchFlusher flusher;

    private BatchFlusher start(BatchFlusher.BatchSink sink) {
        flusher = new BatchFlusher(queue, sink, 5, Duration.ofHours(1), counters);
        flusher.start();
        return flusher;
    }

    @AfterEach
    void stop() throws InterruptedException {
        flusher.stop(Duration.ofSeconds(5));
    }

    @Test
    void aFullBatchGoesOutWithoutWaitingForTheInterval() throws InterruptedException {
        CountDownLatch sent = new CountDownLatch(2);
        start(batch -> {
            batches.add(batch.size());
            sent.countDown();
        });
        offer(12);

        assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(batches).containsExactly(5, 5);
        assertThat(flusher.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(batches).as("the last 2 waited for more or a flush").containsExactly(5, 5, 2);
    }

    @Test
    void flushSendsThePartialBatchAndReturnsOnceItIsHandled() throws InterruptedException {
        start(batch -> batches.add(batch.size()));
        offer(7);

        assertThat(flusher.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(batches).containsExactly(5, 2);
        assertThat(flusher.flush(Duration.ofSeconds(10)))
                .as("nothing queued: at once")
                .isTrue();
        assertThat(batches).containsExactly(5, 2);
    }

    @Test
    void flushTimesOutWhileASendIsStuck() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        start(batch -> release.await());
        offer(1);

        assertThat(flusher.flush(Duration.ofMillis(200))).isFalse();
        release.countDown();
        assertThat(flusher.flush(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void stopSendsWhatIsQueuedAndCountsWhatItCouldNotAsFailed() throws InterruptedException {
        start(batch -> {
            batches.add(batch.size());
            Thread.sleep(Long.MAX_VALUE); // a send that never ends: stop must interrupt it
        });
        offer(8);

        assertThat(flusher.stop(Duration.ofMillis(300))).isFalse();
        assertThat(batches).containsExactly(5);
        assertThat(counters.failed.get())
                .as("3 left in the queue; the interrupted batch is the sink's to count")
                .isEqualTo(3);
        assertThat(queue.offer(Span.llm("m").build())).as("closed").isFalse();
    }

    @Test
    void aSinkThatThrowsCostsOnlyItsBatch() throws InterruptedException {
        start(batch -> {
            batches.add(batch.size());
            if (batches.size() == 1) {
                throw new IllegalStateException("bug");
            }
        });
        offer(10);

        assertThat(flusher.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(batches).containsExactly(5, 5);
        assertThat(counters.failed.get()).isEqualTo(5);
    }

    private void offer(int n) {
        for (int i = 0; i < n; i++) {
            queue.offer(Span.llm("m").build());
        }
    }
}
