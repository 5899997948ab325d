package dev.loupe.alerting.notify;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Map;

/**
 * One alert as a notification carries it. {@code status} is {@code firing} or {@code resolved};
 * {@code labels} include {@code alertname} (the rule id), {@code severity}, {@code owner} and the series'
 * dimensions; {@code annotations} include {@code summary}, {@code runbookUrl}, {@code owner}, {@code value},
 * {@code threshold}, {@code baseline} (docs/architecture.md#alert-rules: every notification carries them).
 */
@RegisterForReflection
public record AlertSnapshot(
        String fingerprint,
        String ruleId,
        String status,
        Map<String, String> labels,
        Map<String, String> annotations,
        Instant startsAt,
        Instant endsAt,
        String generatorUrl,
        String severity,
        String owner,
        String runbookUrl,
        String summary,
        Double value,
        Double threshold,
        Double baseline,
        String acknowledgedBy) {
    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";
}
