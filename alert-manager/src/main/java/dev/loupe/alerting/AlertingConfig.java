package dev.loupe.alerting;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Alert-manager settings ({@code loupe.alerting.*}). */
@ConfigMapping(prefix = "loupe.alerting")
public interface AlertingConfig {
    /** Where the shipped rules' runbooks live; {@code {{runbookBase}}} in default-rules.yaml becomes this. */
    @WithDefault("https://github.com/loupe-dev/loupe/blob/main/docs/runbooks")
    String runbookBaseUrl();

    /** The dashboard's base URL, for links in notifications (Alertmanager's externalURL). */
    @WithDefault("http://localhost:8082")
    String externalUrl();

    /** How often the dispatcher looks for notifications due ({@code off} disables it). */
    @WithDefault("1s")
    String dispatchInterval();

    /** How often state changes left unpublished (a crash, a broker outage) are looked for. */
    @WithDefault("15s")
    String relayInterval();

    /** Install the shipped rule inventory into every project the first time it is seen. */
    @WithDefault("true")
    boolean installDefaultRules();
}
