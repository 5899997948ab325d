package dev.loupe.evals;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Sampling, evaluation and retention defaults ({@code loupe.evals.*}); features override them through the API. */
@ConfigMapping(prefix = "loupe.evals")
public interface EvalsConfig {
    /** Share of a feature's decisions evaluated when the feature has no configuration of its own. */
    @WithDefault("0.1")
    double samplingRate();

    /** At most this many rate-sampled decisions per feature and minute (errored and truncated ones always count). */
    @WithDefault("600")
    int maxPerMinute();

    /** The evaluator set of a feature without configuration, as the JSON array the API takes. */
    @WithDefault("[{\"name\": \"json_valid\"}, {\"name\": \"pii_leak\"}, {\"name\": \"refusal\"}]")
    String defaultEvaluators();

    /**
     * Decision metadata keys copied into each result's {@code dimensions} (empty: every key, up to
     * {@link #maxDimensions()}); {@code model} and {@code promptVersion} are added from the decision.
     */
    Optional<List<String>> dimensionKeys();

    /** At most this many dimensions per result, so a chatty metadata map cannot explode series cardinality. */
    @WithDefault("12")
    int maxDimensions();

    /** How long every decision is kept for re-evaluation by late feedback (docs/architecture.md#retention). */
    @WithDefault("P30D")
    Duration decisionRetention();

    /** How often retention runs ({@code off} disables it). */
    @WithDefault("1h")
    String retentionInterval();

    /**
     * How often feedback parked while its decision was unknown is checked against the decisions kept since
     * ({@code off} disables it); a decision normally picks up its parked feedback itself, this catches the race.
     */
    @WithDefault("30s")
    String parkedFeedbackInterval();

    /** How long a feature's configuration is cached; a change applies within this time on every replica. */
    @WithDefault("5s")
    Duration configCacheTtl();
}
