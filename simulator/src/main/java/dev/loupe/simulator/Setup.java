package dev.loupe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * What an operator does once before the traffic: a project with its keys, support-rag evaluated on every
 * decision (so its pass rate is a series with 80 results a minute), and the alert webhook as the project's
 * default receiver. Every other setting — the alert rules above all — stays as shipped.
 */
final class Setup {
    private Setup() {
    }

    static DemoProject run(Api api, Options o, String webhookUrl) {
        JsonNode created = api.post(o.aggregator(), "/v1/projects", Map.of("name", o.project()), o.bootstrapToken());
        JsonNode keys = created.path("keys");
        DemoProject project = new DemoProject(created.path("id").asText(), o.project(), keys.path(0).path("key").asText(),
                keys.path(1).path("key").asText(), keys.path(2).path("key").asText());
        api.put(o.evalRunner(), "/v1/features/support-rag/evaluation", Map.of("samplingRate", 1.0, "maxPerMinute", 1000,
                "evaluators", List.of(Map.of("name", "refusal"), Map.of("name", "grounded_in_retrieval"),
                        Map.of("name", "pii_leak"))), project.adminKey());
        api.put(o.alertManager(), "/v1/receivers/default", Map.of("type", "webhook", "url", webhookUrl),
                project.adminKey());
        return project;
    }
}
