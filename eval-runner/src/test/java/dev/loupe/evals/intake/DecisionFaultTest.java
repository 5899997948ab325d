package dev.loupe.evals.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.common.kafka.ConsumerFaults;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.support.EvalTests;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TopicReader;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A systematic fault in the decision consumer's path (its table is gone: SQLSTATE 42P01, an error about our
 * schema, not about any record) holds the partition: nothing is dead-lettered, readiness turns DOWN after
 * {@code loupe.consumers.fault-readiness-after} (2 s in tests), and once the table is back every decision is
 * stored and readiness is UP again.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class DecisionFaultTest {
    private static final int DECISIONS = 6;

    @Inject
    Pool pool;

    @Inject
    ConsumerFaults faults;

    @Test
    void aMissingTableHoldsTheDecisionsAndDeadLettersNoneOfThem() {
        String project = "p-fault-" + System.nanoTime();
        await("ready before the fault")
                .atMost(Duration.ofSeconds(30))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        sql("alter table evals.decisions rename to decisions_away");
        List<String> ids = new ArrayList<>();
        try {
            try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
                for (int i = 0; i < DECISIONS; i++) {
                    String id = project + "-d" + i;
                    ids.add(id);
                    kafka.produceStrings()
                            .fromRecords(new ProducerRecord<>(
                                    Topics.DECISIONS,
                                    id,
                                    EventJson.encode(EvalTests.decision(
                                            project,
                                            "fault",
                                            id,
                                            "an answer",
                                            dev.loupe.contracts.events.Outcome.SUCCESS,
                                            Instant.now()))))
                            .awaitCompletion();
                }
            }
            await("the decision consumer held by the fault")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> faults.heldSince(DecisionConsumer.CHANNEL).isPresent());
            await("readiness DOWN after the bound")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> given().get("/q/health/ready").statusCode() == 503);
            String health = given().get("/q/health/ready").body().asString();
            assertThat(health).contains("Kafka consumers not held by a fault").contains(DecisionConsumer.CHANNEL);
            assertThat(given().get("/q/health/live").statusCode())
                    .as("liveness stays UP: a restart would not lift the fault")
                    .isEqualTo(200);
            assertThat(stored("evals.decisions_away", project)).isZero();
            await("the group's lag, from the broker, counts the held decisions")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> decisionLag() >= DECISIONS);
        } finally {
            sql("alter table evals.decisions_away rename to decisions");
        }

        await("every decision stored once the fault is lifted")
                .atMost(Duration.ofSeconds(60))
                .until(() -> stored("evals.decisions", project) == DECISIONS);
        await("readiness UP again")
                .atMost(Duration.ofSeconds(30))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        assertThat(faults.heldSince(DecisionConsumer.CHANNEL)).isEmpty();
        await("the lag back to 0 once they are committed")
                .atMost(Duration.ofSeconds(30))
                .until(() -> decisionLag() == 0);
        assertThat(TopicReader.readAll(Topics.deadLetter(Topics.DECISIONS)).stream()
                        .filter(r -> ids.contains(r.key())))
                .as("a fault is not a poison record")
                .isEmpty();
        String metrics = given().get("/q/metrics").body().asString();
        assertThat(metrics).containsPattern("loupe_consumer_faults_total\\{channel=\"decisions-in\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("loupe_consumer_held_since_seconds\\{channel=\"decisions-in\"[^}]*} 0\\.0");
        assertThat(metrics).contains("loupe_dead_letters_total{topic=\"loupe.decisions.v1\"");
    }

    /** {@code loupe_consumer_lag_records} of eval-runner's group on {@code loupe.decisions.v1}; NaN when absent. */
    private static double decisionLag() {
        Matcher m = Pattern.compile("(?m)^loupe_consumer_lag_records\\{group=\"loupe-eval-runner\","
                        + "topic=\"loupe\\.decisions\\.v1\"} (\\S+)$")
                .matcher(given().get("/q/metrics").body().asString());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private long stored(String table, String project) {
        return pool.preparedQuery("select count(*) from " + table + " where project_id = $1")
                .execute(Tuple.of(project))
                .await()
                .atMost(Duration.ofSeconds(5))
                .iterator()
                .next()
                .getLong(0);
    }

    private void sql(String statement) {
        pool.query(statement).execute().await().atMost(Duration.ofSeconds(30));
    }
}
