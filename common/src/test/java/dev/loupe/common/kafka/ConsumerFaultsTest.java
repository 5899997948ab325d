package dev.loupe.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.json.UnreadableRecordException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class ConsumerFaultsTest {
    private static final String CHANNEL = "decisions-in";
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T09:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ConsumerFaults faults = new ConsumerFaults(
            BOUND, Duration.ofMillis(200), Duration.ofMinutes(5), Duration.ofMinutes(1), registry, clock);

    @Test
    void aFaultIsRetriedUntilItIsLiftedAndTheWorkThenCompletes() {
        AtomicInteger attempts = new AtomicInteger();
        String result = faults.hold(CHANNEL, () -> {
                    if (attempts.incrementAndGet() <= 3) {
                        return Uni.createFrom().failure(new PgException("no table", "ERROR", "42P01", "d"));
                    }
                    return Uni.createFrom().item("stored");
                })
                .await()
                .atMost(Duration.ofSeconds(10));

        assertThat(result).isEqualTo("stored");
        assertThat(attempts).hasValue(4);
        assertThat(faultsCounted()).isEqualTo(3);
        assertThat(faults.heldSince(CHANNEL)).isEmpty();
        assertThat(heldSinceGauge()).isZero();
        assertThat(faults.readiness().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void aSynchronousThrowOfTheConsumerIsAFaultToo() {
        AtomicInteger attempts = new AtomicInteger();
        String result = faults.<String>hold(CHANNEL, () -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw new IllegalStateException("SSMS");
                    }
                    return Uni.createFrom().item("ok");
                })
                .await()
                .atMost(Duration.ofSeconds(10));

        assertThat(result).isEqualTo("ok");
        assertThat(attempts).hasValue(2);
        assertThat(faultsCounted()).isEqualTo(1);
    }

    @Test
    void anAttemptThatHangsIsAFaultAndIsRetried() {
        ConsumerFaults impatient = new ConsumerFaults(
                BOUND, Duration.ofMillis(200), Duration.ofMinutes(5), Duration.ofMillis(300), registry, clock);
        AtomicInteger attempts = new AtomicInteger();
        String result = impatient
                .hold(
                        CHANNEL,
                        () -> attempts.incrementAndGet() == 1
                                ? Uni.createFrom().nothing()
                                : Uni.createFrom().item("stored"))
                .await()
                .atMost(Duration.ofSeconds(10));

        assertThat(result).isEqualTo("stored");
        assertThat(attempts).hasValue(2);
        assertThat(faultsCounted()).isEqualTo(1);
    }

    @Test
    void aPoisonFailureIsPassedOnAtOnceForTheCallerToDeadLetter() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        faults.hold(CHANNEL, () -> {
                    attempts.incrementAndGet();
                    return Uni.createFrom().failure(new UnreadableRecordException("not JSON"));
                })
                .subscribe()
                .with(item -> {}, failure::set);

        await().atMost(Duration.ofSeconds(5)).untilAtomic(failure, org.hamcrest.Matchers.notNullValue());
        assertThat(failure.get()).isInstanceOf(UnreadableRecordException.class);
        assertThat(attempts).hasValue(1);
        assertThat(faultsCounted()).isZero();
        assertThat(faults.heldSince(CHANNEL)).isEmpty();
        assertThat(faults.readiness().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void readinessTurnsDownAfterTheBoundAndUpWhenTheFaultIsLifted() {
        AtomicBoolean broken = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<String> done = new AtomicReference<>();
        faults.hold(CHANNEL, () -> {
                    attempts.incrementAndGet();
                    return broken.get()
                            ? Uni.createFrom().failure(new NullPointerException("a bug in our mapping"))
                            : Uni.createFrom().item("stored");
                })
                .subscribe()
                .with(done::set);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> faults.heldSince(CHANNEL).isPresent());
        Instant since = faults.heldSince(CHANNEL).orElseThrow();
        assertThat(since).isEqualTo(clock.instant());
        assertThat(heldSinceGauge()).isEqualTo(since.getEpochSecond());
        HealthCheckResponse early = faults.readiness();
        assertThat(early.getStatus())
                .as("held for less than the bound: still ready")
                .isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(early.getData().orElseThrow()).containsEntry(CHANNEL + " held since", since.toString());

        clock.advance(BOUND.minusSeconds(1));
        assertThat(faults.readiness().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        clock.advance(Duration.ofSeconds(1));
        HealthCheckResponse down = faults.readiness();
        assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(down.getData().orElseThrow())
                .containsEntry(CHANNEL + " cause", NullPointerException.class.getName());
        int before = attempts.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() >= before + 2);
        assertThat(done.get())
                .as("held: nothing completed, so nothing is acknowledged")
                .isNull();

        broken.set(false);
        await().atMost(Duration.ofSeconds(5)).untilAtomic(done, org.hamcrest.Matchers.equalTo("stored"));
        assertThat(faults.readiness().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(faults.heldSince(CHANNEL)).isEmpty();
        assertThat(heldSinceGauge()).isZero();
        assertThat(faultsCounted()).isEqualTo(attempts.get() - 1);
    }

    @Test
    void aChannelStaysHeldWhileAnyOfItsConsumersIsHeld() {
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicBoolean second = new AtomicBoolean(true);
        faults.hold(CHANNEL, () -> fails(first)).subscribe().with(x -> {});
        await().atMost(Duration.ofSeconds(5))
                .until(() -> faults.heldSince(CHANNEL).isPresent());
        Instant since = clock.instant();
        clock.advance(Duration.ofSeconds(10));
        AtomicReference<String> secondDone = new AtomicReference<>();
        faults.hold(CHANNEL, () -> fails(second)).subscribe().with(secondDone::set);
        await().atMost(Duration.ofSeconds(5)).until(() -> faultsCounted() >= 2);

        first.set(false);
        clock.advance(BOUND);
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        faults.heldSince(CHANNEL).filter(s -> s.isAfter(since)).isPresent());
        assertThat(faults.readiness().getStatus())
                .as("the other consumer is still held, for the bound by now")
                .isEqualTo(HealthCheckResponse.Status.DOWN);
        second.set(false);
        await().atMost(Duration.ofSeconds(5)).untilAtomic(secondDone, org.hamcrest.Matchers.equalTo("ok"));
        assertThat(faults.readiness().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    /** One ERROR with the cause while it lasts (no line per retry), a summary per period, one line when lifted. */
    @Test
    void aFaultIsLoggedOnceWithItsCauseAndOnceWhenLifted() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(ConsumerFaults.class.getName());
        java.util.List<java.util.logging.LogRecord> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                lines.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(capture);
        try {
            AtomicInteger attempts = new AtomicInteger();
            AtomicBoolean broken = new AtomicBoolean(true);
            AtomicReference<String> done = new AtomicReference<>();
            faults.hold(CHANNEL, () -> {
                        attempts.incrementAndGet();
                        return fails(broken);
                    })
                    .subscribe()
                    .with(done::set);
            await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() >= 4);
            assertThat(lines)
                    .as("four failed attempts, one line")
                    .hasSize(1)
                    .first()
                    .satisfies(line -> {
                        assertThat(line.getLevel().intValue())
                                .isGreaterThanOrEqualTo(java.util.logging.Level.SEVERE.intValue());
                        assertThat(line.getThrown()).hasMessage("SSMS");
                    });

            clock.advance(Duration.ofMinutes(5));
            int seen = attempts.get();
            await().atMost(Duration.ofSeconds(15)).until(() -> attempts.get() > seen);
            assertThat(lines).as("a period later: one summary").hasSize(2);

            broken.set(false);
            await().atMost(Duration.ofSeconds(15)).untilAtomic(done, org.hamcrest.Matchers.equalTo("ok"));
            assertThat(lines).hasSize(3);
            assertThat(lines.get(2).getMessage()).contains("lifted");
        } finally {
            logger.removeHandler(capture);
        }
    }

    private static Uni<String> fails(AtomicBoolean broken) {
        return broken.get()
                ? Uni.createFrom().failure(new IllegalStateException("SSMS"))
                : Uni.createFrom().item("ok");
    }

    private double faultsCounted() {
        var counter =
                registry.find("loupe.consumer.faults").tag("channel", CHANNEL).counter();
        return counter == null ? 0 : counter.count();
    }

    private double heldSinceGauge() {
        return registry.get("loupe.consumer.held.since")
                .tag("channel", CHANNEL)
                .gauge()
                .value();
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private volatile Instant now;

        ManualClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
