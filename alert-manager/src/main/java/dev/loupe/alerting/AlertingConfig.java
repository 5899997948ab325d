package dev.loupe.alerting;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Alert-manager settings ({@code loupe.alerting.*}). */
@ConfigMapping(prefix = "loupe.alerting")
public interface AlertingConfig {
    /**
     * Where the shipped rules' runbooks live; {@code {{runbookBase}}} in default-rules.yaml becomes this. By
     * default the dashboard's own copy: metrics-aggregator serves docs/runbooks at {@code /runbooks/}, so a
     * notification's link works on a fresh install. Links are fixed when a project's rules are installed.
     */
    @WithDefault("${loupe.alerting.external-url:http://localhost:8082}/runbooks")
    String runbookBaseUrl();

    /** The dashboard's base URL, for links in notifications (Alertmanager's externalURL). */
    @WithDefault("http://localhost:8082")
    String externalUrl();

    /** How often the dispatcher looks for notifications due ({@code off} disables it). */
    @WithDefault("1s")
    String dispatchInterval();

    /**
     * How long the dispatcher's lease lasts without renewal. Every dispatch pass renews it, so it must be well above
     * {@code dispatch-interval}; a replica that dies leaves it to lapse, and another takes over at its next pass
     * after that: failover within this plus one dispatch interval.
     */
    @WithDefault("PT6S")
    java.time.Duration dispatchLease();

    /** How often state changes left unpublished (a crash, a broker outage) are looked for. */
    @WithDefault("15s")
    String relayInterval();

    /** How long closed windows are kept: the longest baseline (a week of minutes) plus a day. */
    @WithDefault("P8D")
    java.time.Duration windowRetention();

    /** How long resolved alerts, their history, expired silences and the notification log are kept. */
    @WithDefault("P30D")
    java.time.Duration historyRetention();

    /** How often retention runs ({@code off} disables it). */
    @WithDefault("1h")
    String retentionInterval();

    /** Install the shipped rule inventory into every project the first time it is seen. */
    @WithDefault("true")
    boolean installDefaultRules();
}
