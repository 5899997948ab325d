package dev.loupe.collector.ingest;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.contracts.events.SpanRecord;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes spans to {@code loupe.spans.v1} keyed by trace id, so a trace stays ordered on one partition, each
 * encoded by {@link SpanRecordWriter} (the same bytes as {@code EventJson}, without its reflective serializer).
 */
@ApplicationScoped
public class SpanPublisher {
    public static final String CHANNEL = "spans-out";

    private final AckedSender<SpanRecord> sender;

    public SpanPublisher(
            @Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65_536)
                    MutinyEmitter<byte[]> emitter,
            CollectorConfig config) {
        this.sender = new AckedSender<>(
                emitter,
                SpanRecord::traceId,
                SpanRecordWriter::encode,
                config.ackTimeout(),
                config.maxInFlight(),
                config.retryAfterSeconds());
    }

    public Uni<Void> publish(List<SpanRecord> spans) {
        return sender.send(spans);
    }
}
