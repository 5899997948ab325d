package dev.loupe.e2e.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.e2e.LoupeStack;
import dev.loupe.testing.TestProject;
import java.util.List;
import java.util.Map;

/**
 * One library's run: a project of its own on the shared stack, the fake provider, the scenario script run once,
 * its JSON lines by scenario, and the reads of what Loupe stored.
 */
final class ConformanceRun {
    final TestProject project;
    final LoupeReads reads;
    final Map<String, JsonNode> scenarios;

    private ConformanceRun(TestProject project, LoupeReads reads, Map<String, JsonNode> scenarios) {
        this.project = project;
        this.reads = reads;
        this.scenarios = scenarios;
    }

    static ConformanceRun of(LoupeStack stack, String script) {
        TestProject project = stack.newProject("conformance-" + script.replace(".mjs", ""));
        try (NodeScripts.FakeProvider provider = NodeScripts.FakeProvider.start()) {
            Map<String, JsonNode> scenarios = NodeScripts.run(
                    script,
                    Map.of(
                            "LOUPE_COLLECTOR_URL", stack.url(LoupeStack.COLLECTOR),
                            "LOUPE_API_KEY", project.secretKey(),
                            "FAKE_PROVIDER_URL", provider.url(),
                            "LOUPE_RUN_ID", project.id()));
            return new ConformanceRun(project, new LoupeReads(stack, project.secretKey()), scenarios);
        }
    }

    JsonNode scenario(String name) {
        JsonNode s = scenarios.get(name);
        if (s == null) {
            throw new AssertionError("the script printed no scenario " + name + " (got " + scenarios.keySet() + ")");
        }
        return s;
    }

    /** The scenario's trace once it holds {@code count} spans of {@code kind}. */
    List<JsonNode> trace(String scenario, String kind, int count) {
        return reads.traceWith(scenario(scenario).get("traceId").asText(), kind, count);
    }

    /** The last LLM span of the scenario (the measured call), once all {@code llmCalls} are stored. */
    JsonNode lastLlmSpan(String scenario) {
        int calls = scenario(scenario).path("llmCalls").asInt(1);
        List<JsonNode> llm = LoupeReads.ofKind(trace(scenario, "LLM", calls), "LLM");
        return llm.get(llm.size() - 1);
    }

    /** The root span of the scenario: the app's parent span, carrying the feature. */
    JsonNode rootSpan(String scenario, String kind, int count) {
        return trace(scenario, kind, count).stream()
                .filter(s -> s.path("parentSpanId").isNull()
                        || s.path("parentSpanId").asText().isEmpty())
                .findFirst()
                .orElseThrow(() -> new AssertionError(scenario + ": no root span stored"));
    }

    /** The scenario's trace as stored now (call once the run's later spans are stored: then it is complete). */
    List<JsonNode> storedTrace(String scenario) {
        return reads.trace(scenario(scenario).get("traceId").asText(), spans -> !spans.isEmpty());
    }

    /** The one span of {@code kind} in {@code spans}, or an assertion error naming what was stored instead. */
    static JsonNode spanOfKind(List<JsonNode> spans, String kind) {
        return spans.stream()
                .filter(s -> kind.equals(s.path("kind").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " span; stored: "
                        + spans.stream()
                                .map(s -> s.path("name").asText() + " ("
                                        + s.path("kind").asText() + ")")
                                .toList()));
    }

    String storedUser(String scenario) {
        return reads.storedUserId(project.id(), scenario(scenario).get("userId").asText());
    }
}
