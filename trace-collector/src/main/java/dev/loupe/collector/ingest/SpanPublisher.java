package dev.loupe.collector.ingest;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.events.SpanRecord;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/** Publishes spans to {@code loupe.spans.v1} keyed by trace id, completing only once Kafka acknowledged all. */
@ApplicationScoped
public class SpanPublisher {
    public static final String CHANNEL = "spans-out";
    private static final Logger LOG = Logger.getLogger(SpanPublisher.class);

    private final MutinyEmitter<String> emitter;
    private final CollectorConfig config;

    public SpanPublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
                         MutinyEmitter<String> emitter, CollectorConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    public Uni<Void> publish(List<SpanRecord> spans) {
        if (spans.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = spans.stream().map(this::send).toList();
        return Uni.join().all(sends).andCollectFailures()
                .ifNoItem().after(config.ackTimeout()).failWith(TimeoutException::new)
                .onFailure().transform(this::unavailable)
                .replaceWithVoid();
    }

    private Uni<Void> send(SpanRecord span) {
        Message<String> message = Message.of(EventJson.encode(span))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(span.traceId()).build());
        return Uni.createFrom().deferred(() -> emitter.sendMessage(message));
    }

    private Throwable unavailable(Throwable cause) {
        LOG.warnf("Kafka did not acknowledge a span batch: %s", cause.toString());
        return ProblemException.unavailable("Kafka did not acknowledge the batch within "
                + config.ackTimeout().toSeconds() + " s; retry later", config.retryAfterSeconds());
    }
}
