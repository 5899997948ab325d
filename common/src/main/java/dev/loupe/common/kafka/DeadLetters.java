package dev.loupe.common.kafka;

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
 * because a batch is acknowledged as a whole: one poison record must not take its neighbours along. Not a
 * bean: each service produces one around an emitter on its {@code dead-letters-out} channel.
 */
public class DeadLetters {
    /** The outgoing channel each service configures for dead letters (the topic is set per record). */
    public static final String CHANNEL = "dead-letters-out";

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final MutinyEmitter<String> emitter;
    private final MeterRegistry registry;
    private final String counterName;

    /** {@code counterName}: the service's counter of dead letters, tagged by source topic. */
    public DeadLetters(MutinyEmitter<String> emitter, MeterRegistry registry, String counterName) {
        this.emitter = emitter;
        this.registry = registry;
        this.counterName = counterName;
    }

    /** Completes once the broker has acknowledged the dead letter. */
    public Uni<Void> send(ConsumerRecord<String, String> record, String reason) {
        LOG.warnf("dead-lettering %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), reason);
        registry.counter(counterName, "topic", record.topic()).increment();
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
        return emitter.sendMessage(Message.of(record.value()).addMetadata(metadata));
    }

    private static byte[] bytes(String value) {
        return (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
    }
}
