package dev.loupe.aggregator.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.aggregator.query.MetricService;
import dev.loupe.aggregator.spans.SpanPipelineTest;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;

/**
 * Two aggregator replicas close windows at the same moment over one database and one broker: every (window,
 * series, revision) is published once, late data gives the next revision once, and a replica that claimed a window
 * and died is followed by the next revision, not by a second copy of the one it claimed. The second replica is a
 * second {@link WindowCloser} over the same pool and channel, which is what a second process shares.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class WindowCloserReplicasTest {
    /** Before every other test's data and after the retention test's cut-offs, so no other test closes these. */
    private static final Instant BASE = Instant.parse("2021-04-01T00:00:00Z");

    private static final int MINUTES = 8;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String project;

    @Inject
    WindowCloser closer;

    @Inject
    Pool pool;

    @Inject
    MetricService metrics;

    @Inject
    @Channel(WindowCloser.CHANNEL)
    MutinyEmitter<String> emitter;

    @Inject
    WindowConfig config;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    @Test
    void twoReplicasClosingAtOnceNeverPublishTheSameWindowAndRevisionTwice() {
        WindowCloser other = new WindowCloser(pool, metrics, emitter, config, clock, registry);
        List<SpanRecord> spans = new ArrayList<>();
        for (int minute = 0; minute < MINUTES; minute++) {
            for (int i = 0; i < 3; i++) {
                spans.add(span(BASE.plus(minute, ChronoUnit.MINUTES).plusSeconds(10L + 15L * i)));
            }
        }
        send(spans);
        awaitStored(spans.size());

        // both replicas close the same due windows at once, three times over
        Instant now = BASE.plus(MINUTES + 3, ChronoUnit.MINUTES);
        int closed = 0;
        for (int round = 0; round < 3; round++) {
            closed += race(closer, other, now);
        }
        Map<Key, Long> first = published();
        assertThat(first).as("every series of every minute published").isNotEmpty();
        Set<Instant> minutes =
                first.keySet().stream().map(Key::windowStart).collect(Collectors.toCollection(TreeSet::new));
        assertThat(minutes).hasSize(MINUTES);
        assertThat(first).allSatisfy((key, copies) -> {
            assertThat(copies).as("copies of %s", key).isEqualTo(1L);
            assertThat(key.revision()).isZero();
        });
        assertThat(closed).as("windows closed by the two replicas together").isGreaterThanOrEqualTo(MINUTES);

        // late data for two closed minutes: once the revision interval has passed, one revision 1 each
        Instant lateA = BASE.plus(1, ChronoUnit.MINUTES);
        Instant lateB = BASE.plus(4, ChronoUnit.MINUTES);
        send(List.of(span(lateA.plusSeconds(50)), span(lateB.plusSeconds(50))));
        awaitStored(spans.size() + 2);
        Instant later = now.plus(config.revisionInterval()).plusSeconds(1);
        for (int round = 0; round < 3; round++) {
            race(closer, other, later);
        }
        Map<Key, Long> second = published();
        assertThat(second)
                .allSatisfy((key, copies) ->
                        assertThat(copies).as("copies of %s", key).isEqualTo(1L));
        assertThat(revisedMinutes(second, 1)).containsExactly(lateA, lateB);

        // a replica claims minute 6 again (more late data) and dies before publishing: the window is due once
        // the revision interval has passed, and is published with the revision after the claimed one
        Instant lost = BASE.plus(6, ChronoUnit.MINUTES);
        send(List.of(span(lost.plusSeconds(55))));
        awaitStored(spans.size() + 3);
        Instant claimedAt = later.plus(config.revisionInterval()).plusSeconds(1);
        WindowCloser.Claim claim =
                closer.claim(project, lost, claimedAt).await().indefinitely();
        assertThat(claim).isNotNull();
        assertThat(claim.revision()).isEqualTo(1);
        assertThat(race(closer, other, claimedAt.plusSeconds(10)))
                .as("within the revision interval the claim holds")
                .isZero();
        race(closer, other, claimedAt.plus(config.revisionInterval()).plusSeconds(1));
        Map<Key, Long> third = published();
        assertThat(third)
                .allSatisfy((key, copies) ->
                        assertThat(copies).as("copies of %s", key).isEqualTo(1L));
        assertThat(revisedMinutes(third, 1)).containsExactly(lateA, lateB);
        assertThat(revisedMinutes(third, 2)).containsExactly(lost);
    }

    private SpanRecord span(Instant start) {
        return SpanPipelineTest.withStart(SpanPipelineTest.fullSpan(project, TestSpans.randomHex(32)), start);
    }

    private static int race(WindowCloser a, WindowCloser b, Instant now) {
        return Uni.combine()
                .all()
                .unis(a.closeDue(now), b.closeDue(now))
                .with((x, y) -> x + y)
                .await()
                .atMost(Duration.ofSeconds(60));
    }

    private static void send(List<SpanRecord> spans) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(spans.stream()
                            .map(s -> new ProducerRecord<>(Topics.SPANS, s.traceId(), EventJson.encode(s)))
                            .toList())
                    .awaitCompletion();
        }
    }

    private void awaitStored(int count) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> pool.preparedQuery("select count(*) from telemetry.spans where project_id = $1"
                                        + " and start_time >= $2 and start_time < $3")
                                .execute(Tuple.of(
                                        project,
                                        BASE.atOffset(ZoneOffset.UTC),
                                        BASE.plus(1, ChronoUnit.HOURS).atOffset(ZoneOffset.UTC)))
                                .await()
                                .indefinitely()
                                .iterator()
                                .next()
                                .getLong(0)
                        == count);
    }

    /** One published series of one window at one revision. */
    record Key(String metric, Map<String, String> dimensions, Instant windowStart, int revision) {}

    /** This test's windows on the topic, counted by (series, window, revision). */
    private Map<Key, Long> published() {
        List<MetricWindow> windows = new ArrayList<>();
        for (ConsumerRecord<String, String> r : TopicReader.readAll(Topics.METRIC_WINDOWS)) {
            MetricWindow w = EventJson.decode(r.value(), MetricWindow.class);
            if (w.projectId().equals(project)
                    && !w.windowStart().isBefore(BASE)
                    && w.windowStart().isBefore(BASE.plus(1, ChronoUnit.HOURS))) {
                windows.add(w);
            }
        }
        return windows.stream()
                .collect(Collectors.groupingBy(
                        w -> new Key(w.metric(), w.dimensions(), w.windowStart(), w.revision()),
                        Collectors.counting()));
    }

    private static Set<Instant> revisedMinutes(Map<Key, Long> published, int revision) {
        return published.keySet().stream()
                .filter(k -> k.revision() == revision)
                .map(Key::windowStart)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
