package dev.loupe.common.events;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Map;

/** A state change of one alert instance, on {@link Topics#ALERTS}. */
@RegisterForReflection
public record AlertEvent(
        int schemaVersion,
        String projectId,
        String fingerprint,
        String ruleId,
        AlertState state,
        String acknowledgedBy,
        Instant acknowledgedAt,
        String severity,
        String owner,
        String runbookUrl,
        String summary,
        Map<String, String> labels,
        Double value,
        Double threshold,
        Double baseline,
        Instant startsAt,
        Instant endsAt) implements LoupeEvent {
}
