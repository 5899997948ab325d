package dev.loupe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the demo shows at the end, read back through the public APIs with the project's keys. */
final class Summary {
    private Summary() {}

    /** Every alert of the project that fired at least once, in the order it fired (the window it fired on). */
    static List<FiredAlert> firedAlerts(Api api, Options o, DemoProject project) {
        List<FiredAlert> fired = new ArrayList<>();
        JsonNode alerts = api.get(o.aggregator(), "/v1/alerts", Map.of("limit", "1000"), project.adminKey());
        for (JsonNode alert : alerts.path("alerts")) {
            JsonNode detail = api.get(
                    o.alertManager(), "/v1/alerts/" + alert.path("fingerprint").asText(), Map.of(), project.adminKey());
            Instant firedAt = null;
            for (JsonNode step : detail.path("history")) {
                Instant at = Instant.parse(step.path("windowEnd").asText());
                if (step.path("state").asText().equalsIgnoreCase("FIRING")
                        && (firedAt == null || at.isBefore(firedAt))) {
                    firedAt = at;
                }
            }
            if (firedAt != null) {
                Map<String, String> labels = new LinkedHashMap<>();
                detail.path("labels")
                        .properties()
                        .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
                fired.add(new FiredAlert(
                        detail.path("ruleId").asText(),
                        labels,
                        detail.path("owner").asText(null),
                        detail.path("runbookUrl").asText(null),
                        detail.path("severity").asText(null),
                        firedAt,
                        detail.path("state").asText()));
            }
        }
        fired.sort((a, b) -> a.firedAt().compareTo(b.firedAt()));
        return fired;
    }

    /** Spend per feature over [from, to). */
    static Map<String, Double> spendPerFeature(Api api, Options o, DemoProject project, Instant from, Instant to) {
        Map<String, Double> spend = new LinkedHashMap<>();
        JsonNode answer = api.get(
                o.aggregator(),
                "/v1/metrics/cost_usd",
                Map.of("groupBy", "feature", "from", from.toString(), "to", to.toString()),
                project.adminKey());
        for (JsonNode series : answer.path("series")) {
            spend.put(
                    series.path("group").path("feature").asText("(none)"),
                    series.path("points").path(0).path("value").asDouble());
        }
        return spend;
    }

    /** Regression datasets and their case counts. */
    static Map<String, Long> regressionCases(Api api, Options o, DemoProject project) {
        Map<String, Long> cases = new LinkedHashMap<>();
        for (JsonNode dataset : api.get(o.evalRunner(), "/v1/datasets", Map.of(), project.adminKey())
                .path("datasets")) {
            cases.put(dataset.path("name").asText(), dataset.path("cases").asLong());
        }
        return cases;
    }

    static String minutes(Duration d) {
        return String.format("%+.1f min", d.toMillis() / 60_000.0);
    }
}
