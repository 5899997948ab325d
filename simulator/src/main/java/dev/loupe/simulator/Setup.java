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
    private Setup() {}

    /** The key that carries {@code scope} among those {@code POST /v1/projects} issued. */
    private static String keyWith(JsonNode keys, String scope) {
        for (JsonNode key : keys) {
            for (JsonNode s : key.path("scopes")) {
                if (s.asText().equals(scope)) {
                    return key.path("key").asText();
                }
            }
        }
        throw new IllegalStateException("the new project has no key with scope " + scope);
    }

    static DemoProject run(Api api, Options o, String webhookUrl) {
        JsonNode created = api.post(o.aggregator(), "/v1/projects", Map.of("name", o.project()), o.bootstrapToken());
        JsonNode keys = created.path("keys");
        DemoProject project = new DemoProject(
                created.path("id").asText(),
                o.project(),
                keyWith(keys, "ingest"),
                keyWith(keys, "feedback"),
                keyWith(keys, "admin"));
        api.put(
                o.evalRunner(),
                "/v1/features/support-rag/evaluation",
                Map.of(
                        "samplingRate",
                        1.0,
                        "maxPerMinute",
                        1000,
                        "evaluators",
                        List.of(
                                Map.of("name", "refusal"),
                                Map.of("name", "grounded_in_retrieval"),
                                Map.of("name", "pii_leak"))),
                project.adminKey());
        api.put(
                o.alertManager(),
                "/v1/receivers/default",
                Map.of("type", "webhook", "url", webhookUrl),
                project.adminKey());
        return project;
    }
}
