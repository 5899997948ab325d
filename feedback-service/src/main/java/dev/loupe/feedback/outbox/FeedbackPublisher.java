package dev.loupe.feedback.outbox;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes {@link FeedbackRecord}s to {@code loupe.feedback.v1}, keyed by decision id; only the relay calls it. */
@ApplicationScoped
public class FeedbackPublisher {
    public static final String CHANNEL = "feedback-out";

    private final MutinyEmitter<String> emitter;

    public FeedbackPublisher(@Channel(CHANNEL) MutinyEmitter<String> emitter) {
        this.emitter = emitter;
    }

    /** Completes once Kafka acknowledged the record (acks=all); fails when it did not within the producer's timeouts. */
    public Uni<Void> publish(FeedbackRecord record) {
        return Uni.createFrom()
                .deferred(() -> emitter.sendMessage(Message.of(EventJson.encode(record))
                        .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(record.decisionId())
                                .build())));
    }
}
