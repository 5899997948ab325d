package dev.loupe.feedback.outbox;

import dev.loupe.feedback.FeedbackConfig;
import dev.loupe.feedback.FeedbackMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox to {@code loupe.feedback.v1}: claims unpublished rows oldest first, sends them in that
 * order, marks those Kafka acknowledged and gives the others back. Runs on a schedule and right after each commit,
 * one round at a time. While Kafka fails it backs off and probes with a single record per round, so an outage
 * never piles up sends; it logs one WARN when publication starts failing and one INFO when it recovers.
 * At-least-once: a crash between Kafka's ack and the mark publishes the record again (consumers dedupe by
 * feedbackId).
 */
@ApplicationScoped
public class FeedbackRelay {
    private static final Logger LOG = Logger.getLogger(FeedbackRelay.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Sends waiting for an ack at once; well under the emitter's buffer and the sink's in-flight limit. */
    private static final int SEND_WINDOW = 128;

    private final FeedbackOutbox outbox;
    private final FeedbackPublisher publisher;
    private final FeedbackConfig config;
    private final Counter published;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    // written only by the round in flight (there is at most one), read by the next
    private volatile boolean proven;
    private volatile boolean failing;
    private volatile int failures;
    private volatile Instant failingSince;
    private volatile Instant retryAt = Instant.MIN;
    private volatile boolean stopping;

    public FeedbackRelay(
            FeedbackOutbox outbox, FeedbackPublisher publisher, FeedbackConfig config, MeterRegistry registry) {
        this.outbox = outbox;
        this.publisher = publisher;
        this.config = config;
        this.published = registry.counter(FeedbackMetrics.PUBLISHED);
        registry.gauge(FeedbackMetrics.OUTBOX_PENDING, pending);
    }

    /** Called after a commit, so new feedback leaves at once instead of at the next tick (unless backing off). */
    public void wake() {
        trigger();
    }

    // delayed: the emitter is wired to Kafka during start-up, after the scheduler could first fire
    @Scheduled(
            every = "${loupe.feedback.relay-interval:1s}",
            delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        trigger();
    }

    @Scheduled(every = "5s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> countPending() {
        return outbox.pending()
                .invoke(pending::set)
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    private void trigger() {
        if (stopping || Instant.now().isBefore(retryAt)) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true); // a commit during the round: look again as soon as it ends
            return;
        }
        again.set(false);
        // while Kafka is unproven (start-up, after a failure) one record probes it: a dead broker then holds one
        // send, not a batch, and a send that blocks on metadata holds the producer's thread for one record only
        int limit = proven ? config.relayBatch() : 1;
        outbox.claim(limit, config.relayLease())
                .chain(this::publish)
                .subscribe()
                .with(round -> succeeded(round, limit), this::failed);
    }

    /**
     * Sends claimed rows in order, marks those Kafka acknowledged, gives the others back; fails when any was not
     * acknowledged. Returns how many were published, and how many were claimed.
     */
    Uni<Round> publish(List<FeedbackOutbox.Claimed> claimed) {
        if (claimed.isEmpty()) {
            return Uni.createFrom().item(new Round(0, 0));
        }
        Duration sendTimeout = config.relayLease().dividedBy(2);
        return Multi.createFrom()
                .iterable(claimed)
                .onItem()
                .transformToUni(row -> publisher
                        .publish(row.record())
                        .ifNoItem()
                        .after(sendTimeout)
                        .fail()
                        .map(ignored -> new Sent(row, null))
                        .onFailure()
                        .recoverWithItem(e -> new Sent(row, e)))
                .merge(SEND_WINDOW) // subscribes in order, so the producer receives them in order
                .collect()
                .asList()
                .chain(sent -> settle(claimed, sent));
    }

    private Uni<Round> settle(List<FeedbackOutbox.Claimed> claimed, List<Sent> sent) {
        List<String> acked = sent.stream()
                .filter(s -> s.failure() == null)
                .map(s -> s.row().id())
                .toList();
        List<String> refused = sent.stream()
                .filter(s -> s.failure() != null)
                .map(s -> s.row().id())
                .toList();
        Throwable failure = sent.stream()
                .map(Sent::failure)
                .filter(f -> f != null)
                .findFirst()
                .orElse(null);
        Uni<Void> mark = acked.isEmpty()
                ? Uni.createFrom().voidItem()
                : outbox.markPublished(acked).invoke(() -> published.increment(acked.size()));
        // if giving back fails, the lease running out gives the rows back all the same
        Uni<Void> giveBack = refused.isEmpty()
                ? Uni.createFrom().voidItem()
                : outbox.release(refused, claimed.get(0).leaseUntil())
                        .onFailure()
                        .recoverWithNull();
        return mark.chain(() -> giveBack)
                .chain(() -> failure == null
                        ? Uni.createFrom().item(new Round(claimed.size(), acked.size()))
                        : Uni.createFrom().failure(new PublicationFailed(refused.size(), claimed.size(), failure)));
    }

    private void succeeded(Round round, int limit) {
        if (round.published() > 0) {
            proven = true;
        }
        if (failing) {
            failing = false;
            LOG.infof(
                    "feedback publication recovered after %ss; the outbox is being drained",
                    Duration.between(failingSince, Instant.now()).toSeconds());
        }
        failures = 0;
        retryAt = Instant.MIN;
        running.set(false);
        if (round.claimed() == limit || again.getAndSet(false)) {
            trigger(); // a full round leaves more behind; a commit during the round wants its record out
        }
    }

    private void failed(Throwable failure) {
        proven = false;
        failures = failures + 1;
        long backoff =
                Math.min(MAX_BACKOFF.toMillis(), config.relayInterval().toMillis() << Math.min(failures - 1, 16));
        retryAt = Instant.now().plusMillis(backoff);
        if (!failing && !stopping) {
            failing = true;
            failingSince = Instant.now();
            LOG.warnf(
                    "feedback publication is failing (%s); feedback is still accepted and stored, and the relay "
                            + "retries one record at a time, at most every %ss, until Kafka acknowledges again",
                    describe(failure), MAX_BACKOFF.toSeconds());
        }
        running.set(false);
    }

    private static String describe(Throwable failure) {
        String prefix = failure instanceof PublicationFailed ? failure.getMessage() + ": " : "outbox query failed: ";
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause(); // past the wrappers (retry expiry, our own) to what Kafka or PostgreSQL said
        }
        return prefix + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }

    /** Rows not yet published, as last counted ({@code loupe.feedback.outbox.pending}). */
    public long pending() {
        return pending.get();
    }

    record Round(int claimed, int published) {}

    private record Sent(FeedbackOutbox.Claimed row, Throwable failure) {}

    /** Kafka did not acknowledge some records of a round. */
    static final class PublicationFailed extends RuntimeException {
        PublicationFailed(int refused, int claimed, Throwable cause) {
            super("Kafka did not acknowledge " + refused + " of " + claimed + " records", cause);
        }
    }
}
