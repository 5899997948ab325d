package dev.loupe.collector.ingest;

import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.events.LoupeEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Sends a batch of records to one channel and completes only once Kafka acknowledged all of them. The
 * number of records waiting for an ack is bounded: past the bound, or when Kafka does not answer in
 * time, the caller gets 503 with Retry-After instead of an unbounded queue, a hang or a 500.
 */
final class AckedSender<T extends LoupeEvent> {
    private static final Logger LOG = Logger.getLogger(AckedSender.class);

    private final MutinyEmitter<byte[]> emitter;
    private final Function<T, String> key;
    private final Function<T, byte[]> encoder;
    private final Duration ackTimeout;
    private final int maxInFlight;
    private final int retryAfterSeconds;
    private final AtomicInteger inFlight = new AtomicInteger();

    AckedSender(
            MutinyEmitter<byte[]> emitter,
            Function<T, String> key,
            Function<T, byte[]> encoder,
            Duration ackTimeout,
            int maxInFlight,
            int retryAfterSeconds) {
        this.emitter = emitter;
        this.key = key;
        this.encoder = encoder;
        this.ackTimeout = ackTimeout;
        this.maxInFlight = maxInFlight;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    Uni<Void> send(List<T> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (inFlight.addAndGet(records.size()) > maxInFlight) {
            inFlight.addAndGet(-records.size());
            return Uni.createFrom()
                    .failure(ProblemException.unavailable(
                            "too many records waiting for Kafka's acknowledgement; retry later", retryAfterSeconds));
        }
        List<Uni<Void>> sends = records.stream().map(this::sendOne).toList();
        return Uni.join()
                .all(sends)
                .andCollectFailures()
                .ifNoItem()
                .after(ackTimeout)
                .failWith(TimeoutException::new)
                .onFailure()
                .transform(this::unavailable)
                .onTermination()
                .invoke(() -> inFlight.addAndGet(-records.size()))
                .replaceWithVoid();
    }

    private Uni<Void> sendOne(T record) {
        Message<byte[]> message = Message.of(encoder.apply(record))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key.apply(record))
                        .build());
        return Uni.createFrom().deferred(() -> emitter.sendMessage(message));
    }

    private Throwable unavailable(Throwable cause) {
        LOG.warnf("Kafka did not acknowledge a batch: %s", cause.toString());
        return ProblemException.unavailable(
                "Kafka did not acknowledge the batch within " + ackTimeout.toSeconds() + " s; retry later",
                retryAfterSeconds);
    }
}
