package dev.loupe.aggregator.dashboard;

import dev.loupe.contracts.events.AlertEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One alert as the dashboard shows it: an {@link AlertEvent} without its project, plus when the state changed. */
@RegisterForReflection
public record AlertView(
        String fingerprint,
        String ruleId,
        String state,
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
        Instant endsAt,
        Instant changedAt) {

    static AlertView of(AlertEvent e, Instant changedAt) {
        return new AlertView(
                e.fingerprint(),
                e.ruleId(),
                e.state() == null ? null : e.state().name(),
                e.acknowledgedBy(),
                e.acknowledgedAt(),
                e.severity(),
                e.owner(),
                e.runbookUrl(),
                e.summary(),
                e.labels(),
                e.value(),
                e.threshold(),
                e.baseline(),
                e.startsAt(),
                e.endsAt(),
                changedAt);
    }

    /** {@code GET /v1/alerts}: the latest state of each alert, active ones first. */
    @RegisterForReflection
    public record Alerts(List<AlertView> alerts) {}

    /** {@code GET /v1/alerts/{fingerprint}/history}: every state change, oldest first. */
    @RegisterForReflection
    public record History(String fingerprint, List<AlertView> events) {}
}
