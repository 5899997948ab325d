package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TelemetryQueueTest {
    private final Counters counters = new Counters();
    private final TelemetryQueue queue = new TelemetryQueue(3, counters);

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        int accepted = 0;
        for (int i = 0; i < 10; i++) {
            accepted += queue.offer(Span.llm("m").build()) ? 1 : 0;
        }

        assertThat(accepted).isEqualTo(3);
        assertThat(counters.snapshot(queue.size()))
                .extracting(ClientMetrics::queued, ClientMetrics::enqueued, ClientMetrics::dropped)
                .containsExactly(3L, 3L, 7L);
    }

    @Test
    void takingAnItemMakesRoomAgain() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            queue.offer(Span.llm("m").build());
        }
        assertThat(queue.take()).isInstanceOf(Span.class);

        assertThat(queue.offer(Span.llm("m").build())).isTrue();
        assertThat(counters.snapshot(queue.size()))
                .extracting(ClientMetrics::queued, ClientMetrics::enqueued, ClientMetrics::dropped)
                .containsExactly(3L, 4L, 1L);
    }

    @Test
    void aFlushMarkerFitsInAFullQueueAndComesAfterTheItemsBeforeIt() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            queue.offer(Span.llm("m").build());
        }
        TelemetryQueue.Marker marker = queue.mark();

        assertThat(queue.size()).as("markers do not count").isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(queue.take()).isInstanceOf(Span.class);
        }
        assertThat(queue.take()).isSameAs(marker);
    }

    @Test
    void aClosedQueueDropsNewItemsAndDrainReleasesWaitingFlushes() throws InterruptedException {
        queue.offer(Span.llm("m").build());
        TelemetryQueue.Marker marker = queue.mark();
        queue.close();

        assertThat(queue.offer(Span.llm("m").build())).isFalse();
        assertThat(queue.drain()).hasSize(1);
        assertThat(marker.await(1, TimeUnit.SECONDS)).isTrue();
        assertThat(counters.dropped.get()).isEqualTo(1);
        assertThat(queue.size()).isZero();
    }
}
