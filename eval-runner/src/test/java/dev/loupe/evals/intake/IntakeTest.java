package dev.loupe.evals.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.CommitIntervals;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class IntakeTest {
    @Inject
    Pool pool;

    /** Lag counts committed offsets: every consumer commits each second, not every five (CommitIntervals). */
    @Test
    void everyConsumerCommitsAtLoupesIntervalNotTheConnectorsFiveSeconds() {
        CommitIntervals.assertEveryConsumerCommitsAtLoupesInterval("decisions-in$1", "feedback-in");
    }

    @Test
    void everyDecisionIsKeptOnceWithItsFullRecord() {
        String project = "p-intake-" + System.nanoTime();
        DecisionRecord decision = new DecisionRecord(
                SchemaVersions.CURRENT,
                project,
                "d-1",
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "support-rag",
                "how do refunds work?",
                "h-in",
                List.of(new RetrievalResult("doc-7", 0.82, "h-doc")),
                "support-answer",
                "v3",
                "gpt-4o",
                "Refunds within 30 days.",
                "h-out",
                null,
                null,
                Map.of(),
                Outcome.SUCCESS,
                null,
                new BigDecimal("0.0021"),
                950L,
                Instant.parse("2026-11-27T10:00:00Z"),
                Map.of());
        send(Topics.DECISIONS, "d-1", EventJson.encode(decision));
        send(Topics.DECISIONS, "d-1", EventJson.encode(decision));

        Row row = await().atMost(Duration.ofSeconds(15))
                .until(
                        () -> one(
                                "select count(*) over () as n, feature, record::text as record from evals.decisions where project_id = $1",
                                project),
                        r -> r != null);
        assertThat(row.getLong("n")).isEqualTo(1);
        assertThat(row.getString("feature")).isEqualTo("support-rag");
        assertThat(EventJson.decode(row.getString("record"), DecisionRecord.class)
                        .retrievalResults())
                .containsExactly(new RetrievalResult("doc-7", 0.82, "h-doc"));
    }

    @Test
    void feedbackIsRecordedAgainstItsDecision() {
        String project = "p-fb-" + System.nanoTime();
        FeedbackRecord feedback = new FeedbackRecord(
                SchemaVersions.CURRENT,
                project,
                "f-1",
                "d-9",
                FeedbackSignal.EDITED,
                "30 days, not 60",
                null,
                null,
                Instant.parse("2026-11-27T10:05:00Z"));
        send(Topics.FEEDBACK, "d-9", EventJson.encode(feedback));

        Row row = await().atMost(Duration.ofSeconds(15))
                .until(
                        () -> one(
                                "select decision_id, signal from evals.feedback_received where project_id = $1",
                                project),
                        r -> r != null);
        assertThat(row.getString("decision_id")).isEqualTo("d-9");
        assertThat(row.getString("signal")).isEqualTo("EDITED");
    }

    @Test
    void decisionWithoutProjectGoesToTheDeadLetterTopic() {
        {
            String key = "d-poison-" + System.nanoTime();
            send(Topics.DECISIONS, key, "{\"schemaVersion\": 1, \"decisionId\": \"x\"}");
            var dead = TopicReader.awaitKey(Topics.deadLetter(Topics.DECISIONS), key, Duration.ofSeconds(15));
            assertThat(new String(
                            dead.headers().lastHeader("dead-letter-reason").value()))
                    .contains("without projectId");
        }
    }

    private Row one(String sql, String project) {
        var rows = pool.preparedQuery(sql).execute(Tuple.of(project)).await().atMost(Duration.ofSeconds(5));
        return rows.size() == 0 ? null : rows.iterator().next();
    }

    private static void send(String topic, String key, String value) {
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(topic, key, value))
                    .awaitCompletion();
        }
    }
}
