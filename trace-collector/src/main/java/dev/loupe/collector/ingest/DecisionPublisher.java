package dev.loupe.collector.ingest;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** Publishes decisions to {@code loupe.decisions.v1} keyed by decision id. */
@ApplicationScoped
public class DecisionPublisher {
    public static final String CHANNEL = "decisions-out";

    private final AckedSender<DecisionRecord> sender;

    public DecisionPublisher(
            @Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65_536)
                    MutinyEmitter<byte[]> emitter,
            CollectorConfig config) {
        this.sender = new AckedSender<>(
                emitter,
                DecisionRecord::decisionId,
                EventJson::encodeBytes,
                config.ackTimeout(),
                config.maxInFlight(),
                config.retryAfterSeconds());
    }

    public Uni<Void> publish(List<DecisionRecord> decisions) {
        return sender.send(decisions);
    }
}
