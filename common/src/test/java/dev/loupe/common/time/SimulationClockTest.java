package dev.loupe.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SimulationClockTest {
    static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

    /** A wall clock the test moves. */
    static final class Wall extends Clock {
        Instant now = START.minusSeconds(30);

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

    @Test
    void lagsThenRunsFasterUntilItHasCaughtUpThenIsTheWallClock() {
        Wall wall = new Wall();
        SimulationClock clock = new SimulationClock(wall, Duration.ofMinutes(50), 11, START);

        assertThat(clock.instant()).isEqualTo(wall.now.minus(Duration.ofMinutes(50)));
        wall.now = START;
        assertThat(clock.instant()).isEqualTo(START.minus(Duration.ofMinutes(50)));
        wall.now = START.plus(Duration.ofMinutes(1)); // 11 simulated minutes later
        assertThat(clock.instant()).isEqualTo(START.minus(Duration.ofMinutes(39)));
        assertThat(clock.catchUp()).isEqualTo(START.plus(Duration.ofMinutes(5)));
        wall.now = clock.catchUp();
        assertThat(clock.instant()).isEqualTo(wall.now);
        wall.now = START.plus(Duration.ofHours(2));
        assertThat(clock.instant()).isEqualTo(wall.now);
    }

    @Test
    void neverGoesBackwards() {
        Wall wall = new Wall();
        SimulationClock clock = new SimulationClock(wall, Duration.ofMinutes(7), 4, START);
        Instant previous = Instant.MIN;
        for (int s = -60; s < 600; s += 7) {
            wall.now = START.plusSeconds(s);
            Instant now = clock.instant();
            assertThat(now).isAfterOrEqualTo(previous).isBeforeOrEqualTo(wall.now);
            previous = now;
        }
    }

    @Test
    void noLagIsTheWallClockAndBadSettingsAreRefusedByName() {
        assertThat(SimulationClock.fromConfig(Duration.ZERO, 12, Optional.empty()))
                .isEqualTo(Clock.systemUTC());
        assertThatThrownBy(() -> SimulationClock.fromConfig(Duration.ofMinutes(1), 0.5, Optional.of(START.toString())))
                .hasMessageContaining("loupe.clock.speed");
        assertThatThrownBy(() -> SimulationClock.fromConfig(Duration.ofMinutes(1), 2, Optional.empty()))
                .hasMessageContaining("loupe.clock.accelerate-from is required");
        assertThatThrownBy(() -> SimulationClock.fromConfig(Duration.ofMinutes(1), 2, Optional.of("yesterday")))
                .hasMessageContaining("loupe.clock.accelerate-from");
    }
}
