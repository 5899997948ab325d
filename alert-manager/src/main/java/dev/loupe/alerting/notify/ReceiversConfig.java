package dev.loupe.alerting.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How receivers are called ({@code loupe.receivers.*}). */
@ConfigMapping(prefix = "loupe.receivers")
public interface ReceiversConfig {
    /** How long one delivery attempt may take (connect, answer, or the mailer's send) before it is retried. */
    @WithDefault("10s")
    Duration timeout();
}
