package dev.loupe.contracts.events;

import java.time.Instant;
import java.util.Map;

/** A state change of one alert instance, on {@link Topics#ALERTS}. */
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
        Instant endsAt)
        implements LoupeEvent {}
