package dev.loupe.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault: the collector on a small heap (64 MiB) under more load than it can hold: eight clients posting batches
 * of 500 spans with 2 KiB prompts (about 1.3 MB a request). It must refuse what it cannot hold with 429/503 and
 * Retry-After, never run out of memory (the JVM exits on an OutOfMemoryError, so an OOM shows as a dead
 * process), and every span it acknowledged must be stored exactly once.
 */
@ExtendWith(LoupeStack.Extension.class)
class CollectorSmallHeapIT {
    private static final String SMALL_HEAP =
            "-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError";

    private final LoupeStack stack;

    CollectorSmallHeapIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void aSmallHeapRefusesWhatItCannotHoldAndLosesNothingItAcknowledged() throws IOException {
        TestProject project = stack.newProject("fault-heap");
        ServiceProcess collector = stack.service(LoupeStack.COLLECTOR);
        collector.stop();
        long logBefore = Files.size(collector.log());
        collector.start(Map.of(), SMALL_HEAP);
        collector.awaitReady();
        String prompt = "p".repeat(2048);
        try {
            SpanLoad load = SpanLoad.start(
                    stack.url(LoupeStack.COLLECTOR),
                    project,
                    8,
                    500,
                    () -> TestSpans.llm().with("prompt", prompt));
            await("30,000 spans acknowledged or the collector dead")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> load.acknowledgedCount() >= 30_000 || !collector.alive());
            load.close();
            String log = Files.readString(collector.log()).substring((int) logBefore);
            boolean alive = collector.alive();

            StoredSpans stored = alive
                    ? await("acknowledged spans stored")
                            .atMost(Duration.ofSeconds(120))
                            .pollInterval(Duration.ofMillis(500))
                            .until(
                                    () -> StoredSpans.of(stack.database(), project.id()),
                                    s -> s.copiesBySpanId().keySet().containsAll(load.acknowledged()))
                    : StoredSpans.of(stack.database(), project.id());
            System.out.printf(
                    "FAULT collector -Xmx64m: sent=%d acknowledged=%d stored=%d duplicates=%d statuses=%s"
                            + " alive=%s rss=%d KiB%n",
                    load.sent(),
                    load.acknowledgedCount(),
                    stored.distinct(),
                    stored.duplicates(),
                    load.statuses(),
                    alive,
                    alive ? collector.rssKib() : -1);
            assertThat(alive).as("collector alive (no OutOfMemoryError)").isTrue();
            assertThat(log).doesNotContain("OutOfMemoryError");
            assertThat(load.statuses().keySet())
                    .as("statuses: " + load.statuses())
                    .isSubsetOf(200, 429, 503);
            assertThat(load.count(429) + load.count(503))
                    .as("the overload was refused, not absorbed")
                    .isPositive();
            assertThat(stored.duplicates()).isZero();
            assertThat(stored.copiesBySpanId().keySet()).containsAll(load.acknowledged());
        } finally {
            collector.stop();
            collector.start(); // the stack is shared: back to the default flags
            collector.awaitReady();
        }
    }
}
