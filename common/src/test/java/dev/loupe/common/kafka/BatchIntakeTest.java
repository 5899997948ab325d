package dev.loupe.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.json.SpanJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.pgclient.PgException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/** The batch path inside {@link ConsumerFaults#hold}: poison is dead-lettered once, a fault never. */
class BatchIntakeTest {
    private static final String TOPIC = "loupe.feedback.v1";
    private static final String CHANNEL = "feedback-in";

    private final List<Message<?>> sent = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BatchIntake intake = new BatchIntake(new DeadLetters(emitter(sent), registry, TOPIC));
    private final ConsumerFaults faults = new ConsumerFaults(
            Duration.ofSeconds(30),
            Duration.ofMillis(200),
            Duration.ofMinutes(5),
            Duration.ofMinutes(1),
            registry,
            Clock.systemUTC());

    @Test
    void aFaultInTheStoreDeadLettersNothingAndStoresEverythingOnceLifted() {
        ConsumerRecords<String, String> batch = batch(feedback("f-1"), feedback("f-2"), feedback("f-3"));
        AtomicBoolean broken = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        List<String> stored = new CopyOnWriteArrayList<>();
        AtomicReference<List<Integer>> done = new AtomicReference<>();
        faults.hold(
                        CHANNEL,
                        () -> intake.take(batch, FeedbackRecord.class, f -> f.feedbackId() != null, (rows, p) -> {
                            attempts.incrementAndGet();
                            if (broken.get()) {
                                return Uni.createFrom()
                                        .failure(new PgException(
                                                "relation \"evals.feedback_received\" does not exist",
                                                "ERROR",
                                                "42P01",
                                                ""));
                            }
                            rows.forEach(r -> stored.add(r.feedbackId()));
                            return Uni.createFrom().item(rows.size());
                        }))
                .subscribe()
                .with(done::set);

        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() >= 3);
        assertThat(done.get()).isNull();
        assertThat(sent).as("a fault is not a poison record").isEmpty();
        assertThat(faults.heldSince(CHANNEL)).isPresent();

        broken.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() != null);
        assertThat(stored).containsExactly("f-1", "f-2", "f-3");
        assertThat(sent).isEmpty();
        assertThat(deadLettersCounted()).isZero();
        assertThat(faults.readiness().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void aDecodingFaultOfThisBuildIsHeldNotDeadLettered() {
        // a type Jackson cannot build fails every record alike: that is the build's fault (see EventJson.decode)
        ConsumerRecords<String, String> batch = batch(feedback("f-1"));
        AtomicInteger attempts = new AtomicInteger();
        faults.hold(CHANNEL, () -> {
                    attempts.incrementAndGet();
                    return intake.take(
                            batch,
                            Unbuildable.class,
                            u -> true,
                            (rows, p) -> Uni.createFrom().item(rows.size()));
                })
                .subscribe()
                .with(x -> {});

        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() >= 3);
        assertThat(sent).isEmpty();
        assertThat(faults.heldSince(CHANNEL)).isPresent();
    }

    @Test
    void poisonIsDeadLetteredOnceAfterTheRestIsStoredEvenWhenAFaultHeldTheBatchFirst() {
        ConsumerRecords<String, String> batch =
                batch(feedback("f-1"), "{not json", feedback("f-2"), "{\"schemaVersion\":1,\"projectId\":\"p\"}");
        AtomicInteger attempts = new AtomicInteger();
        List<String> stored = new CopyOnWriteArrayList<>();
        List<Integer> result = faults.hold(
                        CHANNEL,
                        () -> intake.take(batch, FeedbackRecord.class, f -> f.feedbackId() != null, (rows, p) -> {
                            if (attempts.incrementAndGet() <= 2) {
                                return Uni.createFrom().failure(new IllegalStateException("SSMS"));
                            }
                            rows.forEach(r -> stored.add(r.feedbackId()));
                            return Uni.createFrom().item(rows.size());
                        }))
                .await()
                .atMost(Duration.ofSeconds(10));

        assertThat(result).containsExactly(2);
        assertThat(stored).containsExactly("f-1", "f-2");
        assertThat(sent).hasSize(2);
        assertThat(sent.stream().map(m -> header(m, "dead-letter-offset")).toList())
                .containsExactly("1", "3");
        assertThat(deadLettersCounted()).isEqualTo(2);
    }

    @Test
    void aRecordTheDatabaseRefusesIsDeadLetteredAloneAndItsNeighboursStored() {
        ConsumerRecords<String, String> batch = batch(feedback("f-1"), feedback("bad"), feedback("f-3"));
        List<String> stored = new CopyOnWriteArrayList<>();
        List<Integer> result = faults.hold(
                        CHANNEL,
                        () -> intake.take(batch, FeedbackRecord.class, f -> f.feedbackId() != null, (rows, p) -> {
                            if (rows.stream().anyMatch(r -> r.feedbackId().equals("bad"))) {
                                return Uni.createFrom()
                                        .failure(new PgException("value too long", "ERROR", "22001", ""));
                            }
                            rows.forEach(r -> stored.add(r.feedbackId()));
                            return Uni.createFrom().item(rows.size());
                        }))
                .await()
                .atMost(Duration.ofSeconds(10));

        assertThat(result).containsExactly(1, 1);
        assertThat(stored).containsExactly("f-1", "f-3");
        assertThat(sent).hasSize(1);
        assertThat(header(sent.get(0), "dead-letter-offset")).isEqualTo("1");
        assertThat(header(sent.get(0), "dead-letter-reason"))
                .contains("the database refused")
                .contains("22001");
    }

    @Test
    void bytesAreReadByTheGivenDecoderAndDeadLetteredAsTheirText() {
        String poison = "{\"schemaVersion\":1,\"projectId\":\"p\",\"kind\":\"ROBOT\",\"prompt\":\"é ✓\"}";
        String span = "{\"schemaVersion\":1,\"projectId\":\"p\",\"spanId\":\"s-1\",\"kind\":\"LLM\","
                + "\"startTime\":\"2026-12-06T09:00:00Z\",\"status\":\"SUCCESS\",\"attributes\":{\"a\":1}}";
        List<ConsumerRecord<String, byte[]>> records = List.of(
                new ConsumerRecord<>(TOPIC, 0, 0, "k", span.getBytes(StandardCharsets.UTF_8)),
                new ConsumerRecord<>(TOPIC, 0, 1, "k", poison.getBytes(StandardCharsets.UTF_8)));
        ConsumerRecords<String, byte[]> batch =
                new ConsumerRecords<>(Map.of(new TopicPartition(TOPIC, 0), records), Map.of());
        List<String> stored = new CopyOnWriteArrayList<>();
        List<Integer> result = faults.hold(
                        CHANNEL,
                        () -> intake.take(
                                batch, SpanRecord.class, SpanJson::decode, s -> s.spanId() != null, (rows, p) -> {
                                    rows.forEach(r -> stored.add(r.spanId() + " " + EventJson.json(r.attributes())));
                                    return Uni.createFrom().item(rows.size());
                                }))
                .await()
                .atMost(Duration.ofSeconds(10));

        assertThat(result).containsExactly(1);
        assertThat(stored).containsExactly("s-1 {\"a\":1}");
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).getPayload()).isEqualTo(poison);
        assertThat(header(sent.get(0), "dead-letter-reason")).contains("ROBOT");
    }

    private double deadLettersCounted() {
        return registry.get(DeadLetters.COUNTER).tag("topic", TOPIC).counter().count();
    }

    private static String feedback(String id) {
        return EventJson.encode(new FeedbackRecord(
                SchemaVersions.CURRENT,
                "p-1",
                id,
                "d-1",
                FeedbackSignal.THUMBS_UP,
                null,
                null,
                null,
                Instant.parse("2026-12-06T09:00:00Z")));
    }

    private static ConsumerRecords<String, String> batch(String... values) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            records.add(new ConsumerRecord<>(TOPIC, 0, i, "k", values[i]));
        }
        return new ConsumerRecords<>(Map.of(new TopicPartition(TOPIC, 0), records), Map.of());
    }

    private static String header(Message<?> message, String name) {
        OutgoingKafkaRecordMetadata<?> metadata =
                message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        return new String(metadata.getHeaders().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static MutinyEmitter<String> emitter(List<Message<?>> sent) {
        return (MutinyEmitter<String>) Proxy.newProxyInstance(
                BatchIntakeTest.class.getClassLoader(), new Class<?>[] {MutinyEmitter.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendMessage")) {
                        return Uni.createFrom().voidItem().invoke(() -> sent.add((Message<?>) args[0]));
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A record type Jackson cannot build (no creator), as one whose reflection data a native image lacks. */
    static final class Unbuildable implements dev.loupe.contracts.events.LoupeEvent {
        private Unbuildable(String projectId, int ignored) {}

        @Override
        public int schemaVersion() {
            return 1;
        }

        @Override
        public String projectId() {
            return "p";
        }
    }
}
