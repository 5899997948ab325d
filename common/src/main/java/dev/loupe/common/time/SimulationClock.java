package dev.loupe.common.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * "Now" for demos and simulations ({@code bin/loupe demo}), never for production: the wall clock minus
 * {@code lag} until {@code accelerateFrom}, then running {@code speed} times faster until it has caught up with
 * the wall clock, then the wall clock itself. So an hour of scenario plays in minutes with every time-driven
 * rule intact (windows close after their lateness, alerts wait their {@code for}), it never runs ahead of
 * real time (data stays visible to "the last 24 hours"), and it never goes backwards.
 *
 * <p>Configured per service by {@code loupe.clock.lag} (default 0: the wall clock), {@code loupe.clock.speed}
 * and {@code loupe.clock.accelerate-from} (an ISO-8601 instant); every service of a demo gets the same three
 * values, and so does the simulator, so they agree on the time.
 */
public final class SimulationClock extends Clock {
    private static final Logger LOG = Logger.getLogger(SimulationClock.class);

    private final Clock wall;
    private final Duration lag;
    private final double speed;
    private final Instant accelerateFrom;

    public SimulationClock(Clock wall, Duration lag, double speed, Instant accelerateFrom) {
        if (lag.isNegative()) {
            throw new IllegalArgumentException("loupe.clock.lag must not be negative, was " + lag);
        }
        if (!(speed >= 1) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("loupe.clock.speed must be a number of at least 1, was " + speed);
        }
        this.wall = wall;
        this.lag = lag;
        this.speed = speed;
        this.accelerateFrom = accelerateFrom;
    }

    /** The wall clock (UTC) unless a lag is configured. */
    public static Clock fromConfig(Duration lag, double speed, Optional<String> accelerateFrom) {
        if (lag.isZero()) {
            return Clock.systemUTC();
        }
        Instant from;
        try {
            // required: a default (this JVM's start) would give every service its own "now"
            from = Instant.parse(accelerateFrom.orElseThrow(() -> new IllegalArgumentException(
                    "loupe.clock.accelerate-from is required when loupe.clock.lag is set")));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "loupe.clock.accelerate-from must be an ISO-8601 instant such as 2026-11-27T10:15:30Z, was "
                            + accelerateFrom.orElse(""),
                    e);
        }
        SimulationClock clock = new SimulationClock(Clock.systemUTC(), lag, speed, from);
        LOG.warnf(
                "simulated time: %s behind the wall clock, %.1f× as fast from %s until it has caught up (at %s); "
                        + "for demos only",
                lag, speed, from, clock.catchUp());
        return clock;
    }

    /** The wall-clock instant from which this clock is the wall clock. */
    public Instant catchUp() {
        if (speed == 1) {
            return Instant.MAX;
        }
        return accelerateFrom.plusNanos((long) (lag.toNanos() / (speed - 1)));
    }

    @Override
    public Instant instant() {
        Instant real = wall.instant();
        Instant simulated = real.minus(lag);
        if (real.isAfter(accelerateFrom)) {
            simulated = simulated.plusNanos(
                    (long) (Duration.between(accelerateFrom, real).toNanos() * (speed - 1)));
        }
        return simulated.isAfter(real) ? real : simulated;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("a simulation clock is UTC");
    }
}
