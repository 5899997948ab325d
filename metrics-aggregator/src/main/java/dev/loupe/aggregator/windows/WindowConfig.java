package dev.loupe.aggregator.windows;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Metric-window closing ({@code loupe.windows.*}). */
@ConfigMapping(prefix = "loupe.windows")
public interface WindowConfig {
    /** How long after a window's end late data is still awaited before the window is first published. */
    @WithDefault("PT1M")
    Duration lateness();

    /** How often the closer looks for windows to publish ({@code off} disables the schedule). */
    @WithDefault("10s")
    String interval();

    /**
     * A window already published is published again (its next revision) at most this often, however often late
     * data changes it: the changes of that interval go out together in one revision. Late data spread over many
     * past minutes (a back-fill, exporters that batch for minutes) otherwise re-publishes every one of those
     * windows on every run, each a full set of metric queries, and every consumer re-reads them.
     */
    @WithDefault("PT1M")
    Duration revisionInterval();

    /** At most this many windows are published per run (a back-fill catches up over several runs). */
    @WithDefault("500")
    int maxPerRun();
}
