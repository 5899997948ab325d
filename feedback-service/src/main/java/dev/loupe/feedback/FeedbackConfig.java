package dev.loupe.feedback;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the feedback-service ({@code loupe.feedback.*}, env {@code LOUPE_FEEDBACK_*}). */
@ConfigMapping(prefix = "loupe.feedback")
public interface FeedbackConfig {
    /** Longest correction or feedback text accepted, in characters. Default 10000. */
    @WithDefault("10000")
    int maxTextLength();

    /** Most items in one {@code POST /v1/feedback/batch}; a larger batch is refused with 413. Default 1000. */
    @WithDefault("1000")
    int maxBatch();

    /**
     * How often the outbox relay looks for unpublished feedback (it is also woken after every commit, so this
     * bounds the delay only for what a crash or an outage left behind). Default 1s.
     */
    @WithDefault("1s")
    Duration relayInterval();

    /** Most outbox rows one relay round claims and publishes. Default 500. */
    @WithDefault("500")
    int relayBatch();

    /**
     * How long a relay round holds its claim on the rows it publishes; other replicas skip them meanwhile, and
     * take them over once it runs out (the holder crashed). Keep it well above the producer's
     * {@code delivery.timeout.ms}. Default 60s.
     */
    @WithDefault("60s")
    Duration relayLease();
}
