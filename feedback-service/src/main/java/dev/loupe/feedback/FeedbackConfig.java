package dev.loupe.feedback;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the feedback-service ({@code loupe.feedback.*}, env {@code LOUPE_FEEDBACK_*}). */
@ConfigMapping(prefix = "loupe.feedback")
public interface FeedbackConfig {
    /** Longest correction or feedback text accepted, in characters. */
    @WithDefault("10000")
    int maxTextLength();

    /** How long to wait for Kafka to acknowledge before answering 503 (the feedback stays stored). */
    @WithDefault("5s")
    Duration ackTimeout();
}
