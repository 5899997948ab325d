package dev.loupe.evals.results;

import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes results to {@code loupe.evals.v1} (key decisionId) and completes once Kafka acknowledged every
 * one. Results are stored before they are published; a result published twice carries the same
 * {@code evalId} and {@code evaluatedAt}, which the aggregator stores once.
 */
@Singleton
public class EvalPublisher {
    public static final String CHANNEL = "evals-out";
    private static final Logger LOG = Logger.getLogger(EvalPublisher.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    private final MutinyEmitter<byte[]> emitter;

    public EvalPublisher(
            @Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65_536)
                    MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    /** Fails when Kafka does not acknowledge within 10 s; callers retry (the results are already stored). */
    public Uni<Void> publish(List<EvalResult> results) {
        if (results.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // encoding a poll's results is real work: keep it off the event loop
        return Uni.createFrom()
                .item(() -> results.stream().map(this::message).toList())
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(messages -> Uni.join()
                        .all(messages.stream().map(this::sendOne).toList())
                        .andCollectFailures())
                .ifNoItem()
                .after(ACK_TIMEOUT)
                .failWith(TimeoutException::new)
                .onFailure()
                .invoke(e -> LOG.warnf("Kafka did not acknowledge %d eval results: %s", results.size(), e))
                .replaceWithVoid();
    }

    /** Retries until Kafka acknowledges: a broker outage delays results, it never drops them. */
    public Uni<Void> publishUntilAcknowledged(List<EvalResult> results) {
        return Uni.createFrom()
                .deferred(() -> publish(results))
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(500), Duration.ofSeconds(30))
                .indefinitely();
    }

    private Message<byte[]> message(EvalResult result) {
        return Message.of(EventJson.encodeBytes(result))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(result.decisionId())
                        .build());
    }

    private Uni<Void> sendOne(Message<byte[]> message) {
        return Uni.createFrom().deferred(() -> emitter.sendMessage(message));
    }
}
