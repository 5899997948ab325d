package dev.loupe.aggregator.rollup;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** The three rollup granularities, their table suffixes and their bucket arithmetic (UTC). */
public enum Granularity {
    MINUTE("1m", ChronoUnit.MINUTES),
    HOUR("1h", ChronoUnit.HOURS),
    DAY("1d", ChronoUnit.DAYS);

    private final String label;
    private final ChronoUnit unit;

    Granularity(String label, ChronoUnit unit) {
        this.label = label;
        this.unit = unit;
    }

    /** {@code 1m}, {@code 1h} or {@code 1d}: the query parameter and the table suffix. */
    public String label() {
        return label;
    }

    public Duration size() {
        return unit.getDuration();
    }

    public Instant floor(Instant t) {
        return t.truncatedTo(unit);
    }

    public Instant ceil(Instant t) {
        Instant floor = floor(t);
        return floor.equals(t) ? t : floor.plus(size());
    }

    public String table(String prefix) {
        return "telemetry." + prefix + "_" + label;
    }

    public static Optional<Granularity> ofLabel(String label) {
        for (Granularity g : values()) {
            if (g.label.equals(label)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }
}
