package dev.loupe.alerting.alerts;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An alert as the API shows it, with its history when asked for one alert. */
@RegisterForReflection
public record AlertView(
        String fingerprint,
        String ruleId,
        String state,
        Map<String, String> labels,
        String summary,
        String severity,
        String owner,
        String runbookUrl,
        Double value,
        Double threshold,
        Double baseline,
        Instant pendingSince,
        Instant firingSince,
        Instant lastWindowEnd,
        String acknowledgedBy,
        Instant acknowledgedAt,
        List<Step> history) {
    /** One state entered. */
    @RegisterForReflection
    public record Step(
            String state,
            Instant windowEnd,
            Double value,
            Double threshold,
            Double baseline,
            String reason,
            Instant recordedAt) {}
}
