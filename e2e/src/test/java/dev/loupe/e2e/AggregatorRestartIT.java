package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.Topics;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Acknowledged means durable: killing the aggregator loses no span the collector acknowledged, and halting it in
 * the narrowest window (a batch's transaction committed, its offsets not) neither loses nor double-counts.
 */
@ExtendWith(LoupeStack.Extension.class)
class AggregatorRestartIT {
    private static final String GROUP = "loupe-metrics-aggregator";
    /** metrics-aggregator's {@code CommitFailpoint.EXIT_STATUS}. */
    private static final int FAILPOINT_EXIT_STATUS = 86;

    private final LoupeStack stack;

    AggregatorRestartIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void killingTheAggregatorLosesNoAcknowledgedSpan() {
        String traceId = TestSpans.randomHex(32);
        List<String> sent = new ArrayList<>();
        post(traceId, 20, sent); // some before the crash, possibly mid-write
        stack.service(LoupeStack.AGGREGATOR).kill(); // SIGKILL: no clean shutdown, no offset commit on close
        post(traceId, 30, sent); // acknowledged while nobody consumes
        stack.service(LoupeStack.AGGREGATOR).start();
        stack.service(LoupeStack.AGGREGATOR).awaitReady();

        Set<String> stored = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> {
                            var response = given().auth()
                                    .oauth2(stack.projectA().secretKey())
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + traceId);
                            return response.statusCode() == 200
                                    ? response.jsonPath().getList("spans.spanId", String.class).stream()
                                            .collect(Collectors.toSet())
                                    : Set.<String>of();
                        },
                        ids -> ids.size() >= sent.size());

        assertThat(stored).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void haltedBetweenTheDatabaseCommitAndTheOffsetCommitTheReplayChangesNoRowAndNoRollup() {
        TestProject project = stack.newProject("fault-commit");
        ServiceProcess aggregator = stack.service(LoupeStack.AGGREGATOR);
        String kafka = stack.kafka().bootstrapServers();
        aggregator.kill();
        // acknowledged while nobody consumes: the restarted aggregator's first batches hold them
        List<String> sent = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            TestSpans[] batch = new TestSpans[50];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = TestSpans.llm();
                sent.add(batch[i].spanId());
            }
            given().auth()
                    .oauth2(project.secretKey())
                    .contentType(ContentType.JSON)
                    .body(TestSpans.batch(batch))
                    .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(50));
        }
        long committedBefore = KafkaOffsets.committed(kafka, GROUP, Topics.SPANS);

        aggregator.start(Map.of("LOUPE_FAULTS_HALT_AFTER_SPAN_BATCHES", "1"), null);
        assertThat(aggregator.awaitExit(Duration.ofSeconds(120)))
                .as("exit status of the failpoint's halt")
                .isEqualTo(FAILPOINT_EXIT_STATUS);
        StoredSpans atHalt = StoredSpans.of(stack.database(), project.id());
        long committedAtHalt = KafkaOffsets.committed(kafka, GROUP, Topics.SPANS);

        aggregator.start();
        aggregator.awaitReady();
        StoredSpans after = await("every span stored after the replay")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> StoredSpans.of(stack.database(), project.id()), s -> s.distinct() >= sent.size());
        double replayed = await("the replayed spans counted as duplicates")
                .atMost(Duration.ofSeconds(10))
                .until(
                        () -> metric(LoupeStack.AGGREGATOR, "loupe_aggregator_spans_duplicates_total"),
                        n -> n >= atHalt.distinct());

        System.out.printf(
                "FAULT aggregator halted after a DB commit, before the offset commit: sent=%d acknowledged=%d"
                        + " stored-at-halt=%d committed offsets %d -> %d at the halt; after replay stored=%d"
                        + " duplicates=%d replayed-as-duplicates=%.0f rollups 1m/1h/1d/session=%d/%d/%d/%d%n",
                sent.size(),
                sent.size(),
                atHalt.distinct(),
                committedBefore,
                committedAtHalt,
                after.distinct(),
                after.duplicates(),
                replayed,
                after.rollup1m(),
                after.rollup1h(),
                after.rollup1d(),
                after.sessionRollup1h());
        assertThat(atHalt.distinct())
                .as("the halted batch's transaction committed")
                .isPositive();
        assertThat(atHalt.rollupsMatchRows())
                .as("its rollups in the same transaction: " + atHalt)
                .isTrue();
        assertThat(committedAtHalt).as("its offsets did not").isEqualTo(committedBefore);
        assertThat(after.copiesBySpanId().keySet()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(after.duplicates()).isZero();
        assertThat(after.rollupsMatchRows())
                .as("the replay counted nothing twice: " + after)
                .isTrue();
    }

    /** A counter of a service's Prometheus endpoint (summed over its series), 0 when absent. */
    private double metric(String service, String name) {
        String text = given().get(stack.url(service) + "/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return text.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private void post(String traceId, int count, List<String> sent) {
        for (int i = 0; i < count; i++) {
            TestSpans span = TestSpans.llm().with("traceId", traceId);
            given().auth()
                    .oauth2(stack.projectA().secretKey())
                    .contentType(ContentType.JSON)
                    .body(TestSpans.batch(span))
                    .when()
                    .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(1));
            sent.add(span.spanId());
        }
    }
}
