package dev.loupe.common.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.jboss.logging.Logger;

/**
 * The one way every Loupe consumer handles a failure that is not the record's ({@link FailureKind#FAULT}):
 * {@link #hold} runs the consumer's work for one record or batch and, while it fails with a fault, runs it again
 * with back-off (200 ms doubling to {@code loupe.consumers.fault-max-backoff}), forever. The record is neither
 * acknowledged nor dead-lettered meanwhile, so its offset stays uncommitted and SmallRye, with no request
 * outstanding, pauses the partition: nothing behind it is processed and nothing is lost. A
 * {@link FailureKind#POISON} failure is passed on untouched for the caller to dead-letter.
 *
 * <p>An operator sees it: the first fault of a channel is logged once at ERROR with its cause (then a one-line
 * summary every {@code loupe.consumers.fault-log-every} while it lasts, and one line when it is lifted);
 * {@code loupe_consumer_faults_total{channel}} counts failed attempts; {@code loupe_consumer_held_since_seconds
 * {channel}} is the Unix time since which the channel has been held (0 when it flows); and its readiness check
 * ({@link ConsumerFaultsCheck}) turns DOWN once a channel has been held for {@code loupe.consumers.fault-readiness-after}, and UP again when the
 * fault is lifted. Readiness only: restarting the process would not lift a fault of the code or its platform,
 * and liveness stays UP so the pod is not killed while it waits.
 */
@ApplicationScoped
public class ConsumerFaults {
    static final String CHECK = "Kafka consumers not held by a fault";
    private static final Logger LOG = Logger.getLogger(ConsumerFaults.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

    private final Duration readinessAfter;
    private final Duration maxBackoff;
    private final Duration logEvery;
    private final Duration attemptTimeout;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    @Inject
    public ConsumerFaults(ConsumerFaultsConfig config, MeterRegistry registry) {
        this(
                config.faultReadinessAfter(),
                config.faultMaxBackoff(),
                config.faultLogEvery(),
                config.attemptTimeout(),
                registry,
                Clock.systemUTC());
    }

    public ConsumerFaults(
            Duration readinessAfter,
            Duration maxBackoff,
            Duration logEvery,
            Duration attemptTimeout,
            MeterRegistry registry,
            Clock clock) {
        this.readinessAfter = readinessAfter;
        this.maxBackoff = maxBackoff.compareTo(FIRST_BACKOFF) < 0 ? FIRST_BACKOFF : maxBackoff;
        this.logEvery = logEvery;
        this.attemptTimeout = attemptTimeout;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Runs {@code work} (called again for each attempt, so a synchronous throw counts as a failure too) until it
     * succeeds or fails with a poison failure, retrying every fault with back-off. An attempt that neither
     * succeeds nor fails within {@code loupe.consumers.attempt-timeout} is a fault too.
     */
    public <T> Uni<T> hold(String channel, Supplier<Uni<T>> work) {
        Hold hold = new Hold(channel(channel));
        return Uni.createFrom()
                .deferred(() -> work.get())
                .ifNoItem()
                .after(attemptTimeout)
                .failWith(() ->
                        new TimeoutException("consumer " + channel + ": an attempt took longer than " + attemptTimeout))
                .onFailure(FailureKind::isFault)
                .invoke(hold::failed)
                .onFailure(FailureKind::isFault)
                .retry()
                .withBackOff(FIRST_BACKOFF, maxBackoff)
                .indefinitely()
                .onTermination()
                .invoke(hold::ended);
    }

    /** Since when {@code channel} has been held by a fault, if it is. */
    public Optional<Instant> heldSince(String channel) {
        Channel c = channels.get(channel);
        return c == null ? Optional.empty() : Optional.ofNullable(c.since());
    }

    /** The readiness answer ({@link ConsumerFaultsCheck}): DOWN while a channel has been held for the bound. */
    public HealthCheckResponse readiness() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(CHECK).up();
        Instant now = clock.instant();
        Map<String, Channel> sorted = new TreeMap<>(channels);
        for (Channel c : sorted.values()) {
            Hold oldest = c.oldest();
            if (oldest == null) {
                continue;
            }
            response.withData(c.name + " held since", oldest.since.toString());
            // the class only: a message may quote a record, and this endpoint needs no key
            response.withData(c.name + " cause", oldest.cause.getClass().getName());
            if (Duration.between(oldest.since, now).compareTo(readinessAfter) >= 0) {
                response.down();
            }
        }
        return response.build();
    }

    private Channel channel(String name) {
        return channels.computeIfAbsent(name, Channel::new);
    }

    /** A channel's holds: each in-flight record or batch currently failing with a fault. */
    private final class Channel {
        final String name;
        final Set<Hold> holds = ConcurrentHashMap.newKeySet();
        final Counter faults;
        Instant lastLogged;

        Channel(String name) {
            this.name = name;
            this.faults = Counter.builder("loupe.consumer.faults")
                    .description("failed attempts of a consumer held by a fault (not the record's)")
                    .tag("channel", name)
                    .register(registry);
            Gauge.builder("loupe.consumer.held.since", this, Channel::sinceEpochSeconds)
                    .description("Unix time since which the consumer has been held by a fault; 0 when it flows")
                    .baseUnit("seconds")
                    .tag("channel", name)
                    .strongReference(true)
                    .register(registry);
        }

        Hold oldest() {
            Hold oldest = null;
            for (Hold h : holds) {
                if (oldest == null || h.since.isBefore(oldest.since)) {
                    oldest = h;
                }
            }
            return oldest;
        }

        Instant since() {
            Hold oldest = oldest();
            return oldest == null ? null : oldest.since;
        }

        double sinceEpochSeconds() {
            Instant since = since();
            return since == null ? 0 : since.toEpochMilli() / 1000.0;
        }
    }

    /** One call of {@link #hold}: registered with its channel from its first fault until it ends. */
    private final class Hold {
        final Channel channel;
        Instant since;
        Throwable cause;
        long attempts;

        Hold(Channel channel) {
            this.channel = channel;
        }

        void failed(Throwable failure) {
            channel.faults.increment();
            synchronized (channel) {
                attempts++;
                cause = failure;
                Instant now = clock.instant();
                if (since == null) {
                    since = now;
                    boolean first = channel.holds.isEmpty();
                    channel.holds.add(this);
                    if (first) {
                        channel.lastLogged = now;
                        LOG.errorf(
                                failure,
                                "consumer %s is held by a fault, not by its record: retrying with back-off until it is"
                                        + " lifted, nothing is dead-lettered or committed meanwhile; readiness turns DOWN"
                                        + " after %s",
                                channel.name,
                                readinessAfter);
                        return;
                    }
                }
                if (Duration.between(channel.lastLogged, now).compareTo(logEvery) >= 0) {
                    channel.lastLogged = now;
                    Instant oldest = channel.since();
                    LOG.warnf(
                            "consumer %s still held by a fault since %s (%d failed attempts of this record); last: %s",
                            channel.name, oldest, attempts, failure.getClass().getName());
                }
            }
        }

        void ended() {
            synchronized (channel) {
                if (since == null || !channel.holds.remove(this)) {
                    return;
                }
                if (channel.holds.isEmpty()) {
                    LOG.infof(
                            "consumer %s: the fault is lifted after %s and %d failed attempts; processing resumes",
                            channel.name, Duration.between(since, clock.instant()), attempts);
                }
            }
        }
    }
}
