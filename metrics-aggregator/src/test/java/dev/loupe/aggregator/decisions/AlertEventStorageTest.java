package dev.loupe.aggregator.decisions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.AlertState;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AlertEventStorageTest {
    @Inject
    Pool pool;

    @Test
    void everyStateChangeIsKeptOnceInOrder() {
        String project = "p-alerts-" + TestSpans.randomHex(4);
        String fingerprint = TestSpans.randomHex(16);
        Instant start = Instant.parse("2026-11-27T10:00:00Z");
        AlertEvent pending = event(project, fingerprint, AlertState.PENDING, start, null);
        AlertEvent firing = event(project, fingerprint, AlertState.FIRING, start.plusSeconds(120), null);
        AlertEvent resolved =
                event(project, fingerprint, AlertState.RESOLVED, start.plusSeconds(120), start.plusSeconds(900));
        for (AlertEvent e : List.of(pending, firing, firing, resolved)) {
            send(fingerprint, EventJson.encode(e));
        }

        List<String> states = await().atMost(Duration.ofSeconds(15))
                .until(
                        () -> {
                            List<String> found = new ArrayList<>();
                            pool.preparedQuery(
                                            "select state from telemetry.alert_events where project_id = $1 order by changed_at, state")
                                    .execute(Tuple.of(project))
                                    .await()
                                    .atMost(Duration.ofSeconds(5))
                                    .forEach(row -> found.add(row.getString("state")));
                            return found;
                        },
                        found -> found.size() >= 3);
        assertThat(states).containsExactly("PENDING", "FIRING", "RESOLVED");
        assertThat(FactConsumers.changedAt(resolved)).isEqualTo(start.plusSeconds(900));
    }

    private static AlertEvent event(
            String project, String fingerprint, AlertState state, Instant startsAt, Instant endsAt) {
        return new AlertEvent(
                SchemaVersions.CURRENT,
                project,
                fingerprint,
                "eval-pass-rate-drop",
                state,
                null,
                null,
                "critical",
                "team-ml-quality",
                "https://runbooks.example/eval-pass-rate-drop.md",
                "Eval pass rate for support-rag fell",
                Map.of("feature", "support-rag"),
                0.71,
                0.8,
                0.87,
                startsAt,
                endsAt);
    }

    private static void send(String key, String value) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(Topics.ALERTS, key, value))
                    .awaitCompletion();
        }
    }
}
