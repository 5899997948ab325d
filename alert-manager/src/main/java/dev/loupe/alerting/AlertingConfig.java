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

    /** Install the shipped rule inventory into every project the first time it is seen. */
    @WithDefault("true")
    boolean installDefaultRules();
}
