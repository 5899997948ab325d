package dev.loupe.aggregator;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tests' "now" (replacing {@link ClockProducer}'s): the wall clock, moved ahead by what a test asks for so it
 * can make data old without waiting. A test that moves it puts it back ({@link #reset()}).
 */
public final class MovableClock extends Clock {
    private static final MovableClock INSTANCE = new MovableClock();
    private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

    private MovableClock() {}

    /** Moves "now" {@code by} further ahead of the wall clock. */
    public static void advance(Duration by) {
        INSTANCE.ahead.accumulateAndGet(by, Duration::plus);
    }

    public static void reset() {
        INSTANCE.ahead.set(Duration.ZERO);
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
        return Instant.now().plus(ahead.get());
    }

    /** Replaces {@link ClockProducer#clock} in every test of this module. */
    public static class Producer {
        @Produces
        @Singleton
        @Alternative
        @Priority(1)
        Clock clock() {
            return INSTANCE;
        }
    }
}
