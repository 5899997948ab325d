package dev.loupe.aggregator.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long {@code telemetry} keeps each kind of row ({@code loupe.retention.*}). */
@ConfigMapping(prefix = "loupe.retention")
public interface RetentionConfig {
    /** Raw spans, decisions, evaluation results, feedback and alert events. */
    @WithDefault("P30D")
    Duration raw();

    /** 1-minute rollups and window marks. */
    @WithDefault("P14D")
    Duration minuteRollups();

    /** 1-hour rollups. */
    @WithDefault("P400D")
    Duration hourRollups();

    /** 1-day rollups. */
    @WithDefault("P1830D")
    Duration dayRollups();

    /** How often retention runs ({@code off} disables it). */
    @WithDefault("1h")
    String interval();
}
