package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.Topics;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault: records no Loupe service can read (not JSON; JSON of the wrong shape) written to every topic a service
 * consumes. Each consumer group dead-letters each of them to {@code <topic>.dlq} with the reason, source topic,
 * partition and offset in headers, commits past them, and the valid records behind them on the same partition
 * are stored.
 */
@ExtendWith(LoupeStack.Extension.class)
class PoisonRecordsIT {
    /** Every topic a Loupe service consumes, with the consumer groups that read it (application.properties). */
    private static final Map<String, List<String>> CONSUMERS = new LinkedHashMap<>();

    static {
        CONSUMERS.put(Topics.SPANS, List.of("loupe-metrics-aggregator"));
        CONSUMERS.put(Topics.DECISIONS, List.of("loupe-metrics-aggregator-decisions", "loupe-eval-runner"));
        CONSUMERS.put(Topics.EVALS, List.of("loupe-metrics-aggregator-evals"));
        CONSUMERS.put(Topics.FEEDBACK, List.of("loupe-metrics-aggregator-feedback", "loupe-eval-runner"));
        CONSUMERS.put(Topics.ALERTS, List.of("loupe-metrics-aggregator-alerts"));
        CONSUMERS.put(Topics.METRIC_WINDOWS, List.of("loupe-alert-manager"));
    }

    private final LoupeStack stack;

    PoisonRecordsIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void poisonOnEveryTopicIsDeadLetteredWithItsReasonAndThePartitionKeepsFlowing() throws Exception {
        TestProject project = stack.newProject("fault-poison");
        String kafka = stack.kafka().bootstrapServers();
        String key = TestSpans.randomHex(32); // one key: every record below lands on one partition per topic
        Map<String, List<RecordMetadata>> poisoned = new LinkedHashMap<>();
        try (KafkaProducer<String, String> producer = producer(kafka)) {
            for (String topic : CONSUMERS.keySet()) {
                List<RecordMetadata> written = new ArrayList<>();
                written.add(producer.send(new ProducerRecord<>(topic, key, "{not json " + topic))
                        .get());
                written.add(producer.send(new ProducerRecord<>(topic, key, "{\"poison\": \"" + topic + "\"}"))
                        .get());
                poisoned.put(topic, written);
            }
        }
        // valid records behind the poison, on the same partitions: a span of trace `key`, a decision `key`
        TestSpans span = TestSpans.llm().with("traceId", key).with("decisionId", key);
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(span))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisions",
                        List.of(Map.of(
                                "decisionId", key, "traceId", key, "feature", "poison", "input", "q", "output", "a"))))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/decisions")
                .then()
                .statusCode(200);

        await("the valid span and decision behind the poison stored")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> rows("telemetry.spans", "span_id", span.spanId()) == 1
                        && rows("telemetry.decisions", "decision_id", key) == 1);

        int deadLetters = 0;
        for (Map.Entry<String, List<RecordMetadata>> entry : poisoned.entrySet()) {
            String topic = entry.getKey();
            TopicPartition partition =
                    new TopicPartition(topic, entry.getValue().get(0).partition());
            long last = entry.getValue().get(entry.getValue().size() - 1).offset();
            for (String group : CONSUMERS.get(topic)) {
                await(group + " commits past the poison on " + partition)
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> KafkaOffsets.committed(kafka, group, partition) > last);
            }
            List<ConsumerRecord<String, String>> letters = await(topic + ".dlq")
                    .atMost(Duration.ofSeconds(30))
                    .until(
                            () -> TopicReader.readAll(kafka, Topics.deadLetter(topic)).stream()
                                    .filter(r -> key.equals(r.key()))
                                    .toList(),
                            found -> found.size() >= 2 * CONSUMERS.get(topic).size());
            assertThat(letters)
                    .as("each group dead-letters each poison record once")
                    .hasSize(2 * CONSUMERS.get(topic).size());
            for (ConsumerRecord<String, String> letter : letters) {
                assertThat(letter.value()).contains(topic);
                assertThat(header(letter, "dead-letter-reason")).isNotBlank();
                assertThat(header(letter, "dead-letter-topic")).isEqualTo(topic);
                assertThat(header(letter, "dead-letter-partition")).isEqualTo(Integer.toString(partition.partition()));
                assertThat(entry.getValue().stream().map(m -> Long.toString(m.offset())))
                        .contains(header(letter, "dead-letter-offset"));
            }
            deadLetters += letters.size();
            System.out.printf(
                    "FAULT poison on %s: %d poison records, %d dead letters (groups %s), first reason: %s%n",
                    topic,
                    entry.getValue().size(),
                    letters.size(),
                    CONSUMERS.get(topic),
                    header(letters.get(0), "dead-letter-reason"));
        }
        assertThat(deadLetters)
                .isEqualTo(2 * CONSUMERS.values().stream().mapToInt(List::size).sum());
    }

    private long rows(String table, String column, String id) throws Exception {
        try (Connection c = stack.database().connect();
                PreparedStatement s =
                        c.prepareStatement("select count(*) from " + table + " where " + column + " = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
