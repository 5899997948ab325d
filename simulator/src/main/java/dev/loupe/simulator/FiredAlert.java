package dev.loupe.simulator;

import java.time.Instant;
import java.util.Map;

/** An alert that reached FIRING, with when (simulated) and for whom. */
public record FiredAlert(
        String ruleId,
        Map<String, String> labels,
        String owner,
        String runbookUrl,
        String severity,
        Instant firedAt,
        String state) {
    boolean matches(Scenario.ExpectedAlert expected) {
        return ruleId.equals(expected.ruleId())
                && expected.labels().entrySet().stream()
                        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
