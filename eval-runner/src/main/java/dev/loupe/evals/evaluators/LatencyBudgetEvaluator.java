package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code latency_budget}: the decision took no longer than {@code maxMs}; over budget scores budget/actual. */
public final class LatencyBudgetEvaluator implements Evaluator {
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "maxMs": {"type": "integer", "exclusiveMinimum": 0, "description": "the latency budget in milliseconds"}
              },
              "required": ["maxMs"],
              "additionalProperties": false
            }
            """);

    @Override
    public String name() {
        return "latency_budget";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String description() {
        return "The decision's latency is within maxMs; twice the budget scores 0.5.";
    }

    @Override
    public JsonNode configSchema() {
        return CONFIG_SCHEMA.deepCopy();
    }

    @Override
    public double defaultThreshold() {
        return 1.0;
    }

    @Override
    public Check compile(JsonNode config) {
        long maxMs = Config.read(config, "maxMs").requiredPositiveLong("maxMs");
        return (decision, reference) -> {
            Long latency = decision.latencyMs();
            if (latency == null) {
                return null;
            }
            if (latency <= maxMs) {
                return Verdict.pass(latency + " ms, within the " + maxMs + " ms budget");
            }
            // a graded score shows how far over it went: 2x the budget scores 0.5
            return new Verdict((double) maxMs / latency, latency + " ms, over the " + maxMs + " ms budget");
        };
    }
}
