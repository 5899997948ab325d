package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code latency_budget}: the decision took no longer than {@code maxMs}; over budget scores budget/actual. */
public final class LatencyBudgetEvaluator extends DescribedEvaluator {
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

    private static final Verdict NO_LATENCY = Verdict.notApplicable("the decision carries no latencyMs");

    public LatencyBudgetEvaluator() {
        super("latency_budget", "The decision's latency is within maxMs; twice the budget scores 0.5.", CONFIG_SCHEMA);
    }

    @Override
    public Check compile(JsonNode config) {
        long maxMs = Config.read(config, "maxMs").requiredPositiveLong("maxMs");
        return (decision, reference) -> {
            Long latency = decision.latencyMs();
            if (latency == null) {
                return NO_LATENCY;
            }
            if (latency <= maxMs) {
                return Verdict.pass(latency + " ms, within the " + maxMs + " ms budget");
            }
            // a graded score shows how far over it went: 2x the budget scores 0.5
            return new Verdict((double) maxMs / latency, latency + " ms, over the " + maxMs + " ms budget");
        };
    }
}
