package dev.loupe.aggregator;

import dev.loupe.common.time.SimulationClock;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The one source of "now" (query defaults, window closing, retention), so tests can drive time. */
public class ClockProducer {
    @Produces
    @Singleton
    Clock clock(
            @ConfigProperty(name = "loupe.clock.lag", defaultValue = "PT0S") Duration lag,
            @ConfigProperty(name = "loupe.clock.speed", defaultValue = "1") double speed,
            @ConfigProperty(name = "loupe.clock.accelerate-from") Optional<String> accelerateFrom) {
        return SimulationClock.fromConfig(lag, speed, accelerateFrom); // the wall clock unless a demo sets a lag
    }
}
