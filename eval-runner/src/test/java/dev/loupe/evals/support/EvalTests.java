package dev.loupe.evals.support;

import static io.restassured.RestAssured.given;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TopicReader;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;

/** What the eval-runner's tests share: decisions to send, the seeded project's keys, SQL and topic look-ups. */
public final class EvalTests {
    private EvalTests() {}

    public static String project() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-a.id", String.class);
    }

    public static String adminKey() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-a.admin-key", String.class);
    }

    public static String readKey() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-a.secret-key", String.class);
    }

    public static String otherAdminKey() {
        return ConfigProvider.getConfig().getValue("loupe.test.project-b.admin-key", String.class);
    }

    /** A successful decision of the seeded project, with metadata, a retrieval and a plain answer. */
    public static DecisionRecord decision(String feature, String id, String output) {
        return decision(project(), feature, id, output, Outcome.SUCCESS, Instant.now());
    }

    public static DecisionRecord decision(
            String project, String feature, String id, String output, Outcome status, Instant at) {
        return new DecisionRecord(
                SchemaVersions.CURRENT,
                project,
                id,
                "4bf92f3577b34da6a3ce929d0e0e4736",
                feature,
                "how do refunds work?",
                "h-in",
                List.of(new RetrievalResult("doc-7", 0.82, "h-doc")),
                "support-answer",
                "v3",
                "gpt-4o",
                output,
                "h-out",
                null,
                null,
                Map.of(),
                status,
                status == Outcome.ERROR ? "rate_limit" : null,
                new BigDecimal("0.0021"),
                950L,
                at,
                Map.of("tier", "pro", "topic", "refunds"));
    }

    public static void send(List<DecisionRecord> decisions) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        decisions.forEach(
                d -> records.add(new ProducerRecord<>(Topics.DECISIONS, d.decisionId(), EventJson.encode(d))));
        try (KafkaCompanion kafka = new KafkaCompanion(SharedKafka.bootstrapServers())) {
            kafka.produceStrings().fromRecords(records).awaitCompletion(Duration.ofSeconds(30));
        }
    }

    /** Sets a feature's evaluation through the API, as an admin of the seeded project. */
    public static void configure(String feature, String json) {
        given().header("Authorization", "Bearer " + adminKey())
                .contentType("application/json")
                .body(json)
                .put("/v1/features/{feature}/evaluation", feature)
                .then()
                .statusCode(200);
    }

    public static RowSet<Row> query(Pool pool, String sql, Object... args) {
        return pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(Duration.ofSeconds(10));
    }

    public static long count(Pool pool, String sql, Object... args) {
        return query(pool, sql, args).iterator().next().getLong(0);
    }

    /** Results published on {@code loupe.evals.v1} for a decision, waiting until {@code count} of them arrived. */
    public static List<EvalResult> published(String decisionId, int count, Predicate<EvalResult> match) {
        return TopicReader.await(
                        Topics.EVALS,
                        r -> decisionId.equals(r.key()) && match.test(EventJson.decode(r.value(), EvalResult.class)),
                        count,
                        Duration.ofSeconds(20))
                .stream()
                .map(r -> EventJson.decode(r.value(), EvalResult.class))
                .toList();
    }

    public static String unique(String prefix) {
        return prefix + "-" + Long.toHexString(System.nanoTime());
    }
}
