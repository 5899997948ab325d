package dev.loupe.common.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Sends a record that cannot be stored to {@code <topic>.dlq}, keeping its key and value, with the same
 * headers SmallRye's own dead-letter strategy writes ({@code dead-letter-reason}, {@code -topic},
 * {@code -partition}, {@code -offset}), so every Loupe DLQ reads alike. The batch consumers need it
 * because a batch is acknowledged as a whole: one poison record must not take its neighbours along, and every
 * consumer uses it (not SmallRye's channel-level strategy) so that only a {@link FailureKind#POISON} record is ever
 * dead-lettered. Counts {@code loupe_dead_letters_total{topic}} (the source topic), the same name in every service.
 * Not a bean: each service produces one around an emitter on its {@code dead-letters-out} channel.
 */
public class DeadLetters {
    /** The outgoing channel each service configures for dead letters (the topic is set per record). */
    public static final String CHANNEL = "dead-letters-out";

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    /** The counter of dead letters, tagged by source topic: {@code loupe_dead_letters_total{topic}}. */
    public static final String COUNTER = "loupe.dead.letters";

    private final MutinyEmitter<String> emitter;
    private final MeterRegistry registry;

    /**
     * {@code sourceTopics}: the topics this service consumes; their counters start at 0, so a rate over them
     * sees the first dead letter too.
     */
    public DeadLetters(MutinyEmitter<String> emitter, MeterRegistry registry, String... sourceTopics) {
        this.emitter = emitter;
        this.registry = registry;
        for (String topic : sourceTopics) {
            counter(topic);
        }
    }

    /**
     * Sends on subscription; completes once the broker has acknowledged the dead letter. The value is sent as it
     * came: a {@code String} as is, {@code byte[]} as its UTF-8 text (what a {@code StringDeserializer} would have
     * made of it).
     */
    public Uni<Void> send(ConsumerRecord<String, ?> record, String reason) {
        return Uni.createFrom().deferred(() -> {
            LOG.warnf("dead-lettering %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), reason);
            return emitter.sendMessage(message(record, reason))
                    .invoke(() -> counter(record.topic()).increment());
        });
    }

    private Counter counter(String topic) {
        return Counter.builder(COUNTER)
                .description("records sent to <topic>.dlq, by source topic")
                .tag("topic", topic)
                .register(registry);
    }

    private static Message<String> message(ConsumerRecord<String, ?> record, String reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dead-letter-reason", bytes(reason));
        headers.add("dead-letter-topic", bytes(record.topic()));
        headers.add("dead-letter-partition", bytes(Integer.toString(record.partition())));
        headers.add("dead-letter-offset", bytes(Long.toString(record.offset())));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(record.topic() + ".dlq")
                .withKey(record.key())
                .withHeaders(headers)
                .build();
        return Message.of(text(record.value())).addMetadata(metadata);
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : (String) value;
    }

    private static byte[] bytes(String value) {
        return (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
    }
}
