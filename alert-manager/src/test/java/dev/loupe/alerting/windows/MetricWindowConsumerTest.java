package dev.loupe.alerting.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class MetricWindowConsumerTest {
    @Inject
    Pool pool;

    @Test
    void laterRevisionReplacesTheWindowAndAStaleOneIsIgnored() {
        Instant start = Instant.parse("2026-11-27T10:00:00Z");
        String project = "p-windows-" + System.nanoTime();
        send(window(project, start, 0.91, 0), window(project, start, 0.85, 2), window(project, start, 0.5, 1));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            RowSet<Row> rows = rows(project);
            assertThat(rows.size()).isEqualTo(1);
            Row row = rows.iterator().next();
            assertThat(row.getInteger("revision")).isEqualTo(2);
            assertThat(row.getDouble("value")).isEqualTo(0.85);
            assertThat(row.getString("dimensions_key")).isEqualTo("evaluator=json_valid,feature=support-rag");
        });
    }

    @Test
    void unreadableWindowGoesToTheDeadLetterTopicAndTheNextIsStored() {
        String project = "p-poison-" + System.nanoTime();
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(
                            Topics.METRIC_WINDOWS,
                            project,
                            "{\"schemaVersion\": 99, \"projectId\": \"" + project + "\"}"))
                    .awaitCompletion();
            send(window(project, Instant.parse("2026-11-27T11:00:00Z"), 0.7, 0));

            await().atMost(Duration.ofSeconds(15)).until(() -> rows(project).size() == 1);
            var dead = TopicReader.awaitKey(Topics.deadLetter(Topics.METRIC_WINDOWS), project, Duration.ofSeconds(10));
            assertThat(new String(
                            dead.headers().lastHeader("dead-letter-reason").value()))
                    .contains("schemaVersion 99");
        }
    }

    private RowSet<Row> rows(String project) {
        return pool.preparedQuery("select * from alerting.metric_windows where project_id = $1")
                .execute(Tuple.of(project))
                .await()
                .atMost(Duration.ofSeconds(5));
    }

    private static void send(MetricWindow... windows) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            for (MetricWindow w : windows) {
                // one key per window keeps them on one partition, in order
                kafka.produceStrings()
                        .fromRecords(new ProducerRecord<>(Topics.METRIC_WINDOWS, w.projectId(), EventJson.encode(w)))
                        .awaitCompletion();
            }
        }
    }

    private static MetricWindow window(String project, Instant start, double value, int revision) {
        return new MetricWindow(
                SchemaVersions.CURRENT,
                project,
                "eval_pass_rate",
                Map.of("feature", "support-rag", "evaluator", "json_valid"),
                start,
                start.plusSeconds(60),
                value,
                120,
                null,
                revision);
    }
}
