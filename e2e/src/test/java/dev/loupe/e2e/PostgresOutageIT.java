package dev.loupe.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.Topics;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault: PostgreSQL unreachable for 30 seconds under load (the fault proxy between the services and the
 * database drops every connection and refuses new ones). The aggregator's readiness goes DOWN, its consumer
 * stops committing (it retries the batch, dead-letters nothing), the collector keeps answering 2xx or
 * 429/503, and once the database is back every acknowledged span is stored exactly once.
 */
@ExtendWith(LoupeStack.Extension.class)
class PostgresOutageIT {
    private static final String GROUP = "loupe-metrics-aggregator";
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private final LoupeStack stack;

    PostgresOutageIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void thirtySecondsWithoutPostgresLosesNothingAndCatchesUp() {
        TestProject project = stack.newProject("fault-postgres");
        String kafka = stack.kafka().bootstrapServers();
        long deadLettersBefore = KafkaOffsets.end(kafka, Topics.deadLetter(Topics.SPANS));
        SpanLoad load = SpanLoad.start(stack.url(LoupeStack.COLLECTOR), project, 2, 10, TestSpans::llm);
        await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledgedCount() >= 200);

        long cutAt = System.nanoTime();
        stack.postgresProxy().cut();
        ServiceProcess aggregator = stack.service(LoupeStack.AGGREGATOR);
        await("aggregator readiness DOWN")
                .atMost(Duration.ofSeconds(25))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> !aggregator.ready());
        double downAfter = (System.nanoTime() - cutAt) / 1e9;
        Map<String, Boolean> readyDuringOutage = new LinkedHashMap<>();
        for (String name : List.of(
                LoupeStack.COLLECTOR,
                LoupeStack.AGGREGATOR,
                LoupeStack.EVALS,
                LoupeStack.FEEDBACK,
                LoupeStack.ALERTS)) {
            readyDuringOutage.put(name, stack.service(name).ready());
        }
        // the throttled commit strategy commits what was acknowledged before the cut within 5 s; after that,
        // nothing may be committed while the database is away
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(() -> true);
        long committedDuring = KafkaOffsets.committed(kafka, GROUP, Topics.SPANS);
        long acknowledgedDuring = load.acknowledgedCount();
        await().pollDelay(OUTAGE.minusNanos(System.nanoTime() - cutAt))
                .atMost(OUTAGE)
                .until(() -> true);
        long committedAtEnd = KafkaOffsets.committed(kafka, GROUP, Topics.SPANS);
        long acknowledgedInOutage = load.acknowledgedCount() - acknowledgedDuring;
        stack.postgresProxy().restore();
        double outage = (System.nanoTime() - cutAt) / 1e9;

        Duration recovered = stack.awaitAllReady();
        long acknowledgedBeforeMore = load.acknowledgedCount();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledgedCount() >= acknowledgedBeforeMore + 100);
        load.close();
        StoredSpans stored = await("every acknowledged span stored")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> StoredSpans.of(stack.database(), project.id()),
                        s -> s.copiesBySpanId().keySet().containsAll(load.acknowledged()));
        long deadLettered = KafkaOffsets.end(kafka, Topics.deadLetter(Topics.SPANS)) - deadLettersBefore;

        System.out.printf(
                "FAULT postgres unavailable %.1f s: sent=%d acknowledged=%d (%d during the outage)"
                        + " stored=%d duplicates=%d dead-lettered=%d statuses=%s; aggregator DOWN after %.1f s,"
                        + " ready during outage %s; committed offsets %d -> %d during the outage; all ready %.1f s"
                        + " after restore%n",
                outage,
                load.sent(),
                load.acknowledgedCount(),
                acknowledgedInOutage,
                stored.distinct(),
                stored.duplicates(),
                deadLettered,
                load.statuses(),
                downAfter,
                readyDuringOutage,
                committedDuring,
                committedAtEnd,
                recovered.toMillis() / 1e3);
        assertThat(outage).isGreaterThanOrEqualTo(OUTAGE.toSeconds());
        assertThat(readyDuringOutage.get(LoupeStack.AGGREGATOR)).isFalse();
        assertThat(committedAtEnd)
                .as("the consumer paused: no offset committed without its rows")
                .isEqualTo(committedDuring);
        assertThat(load.statuses().keySet()).as("statuses: " + load.statuses()).isSubsetOf(200, 429, 503);
        assertThat(deadLettered).as("an outage is not a poison record").isZero();
        assertThat(stored.duplicates()).isZero();
        assertThat(stored.rollupsMatchRows())
                .as("rollups count each stored span once: " + stored)
                .isTrue();
    }
}
