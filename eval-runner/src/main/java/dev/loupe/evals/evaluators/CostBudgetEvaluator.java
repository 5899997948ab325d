package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;

/** {@code cost_budget}: the decision cost no more than {@code maxUsd}; over budget scores budget/actual. */
public final class CostBudgetEvaluator extends DescribedEvaluator {
    private static final JsonNode CONFIG_SCHEMA = Config.schema("""
            {
              "type": "object",
              "properties": {
                "maxUsd": {"type": "number", "exclusiveMinimum": 0, "description": "the cost budget in USD"}
              },
              "required": ["maxUsd"],
              "additionalProperties": false
            }
            """);

    private static final Verdict NO_COST =
            Verdict.notApplicable("the decision carries no costUsd (an unpriced model, or the app did not send it)");

    public CostBudgetEvaluator() {
        super("cost_budget", "The decision's cost is within maxUsd; twice the budget scores 0.5.", CONFIG_SCHEMA);
    }

    @Override
    public Check compile(JsonNode config) {
        BigDecimal maxUsd = Config.read(config, "maxUsd").requiredPositiveNumber("maxUsd");
        String budget = maxUsd.stripTrailingZeros().toPlainString();
        return (decision, reference) -> {
            BigDecimal cost = decision.costUsd();
            if (cost == null) {
                return NO_COST;
            }
            String spent = "$" + cost.stripTrailingZeros().toPlainString();
            if (cost.compareTo(maxUsd) <= 0) {
                return Verdict.pass(spent + ", within the $" + budget + " budget");
            }
            double score = maxUsd.divide(cost, MathContext.DECIMAL64).doubleValue();
            return new Verdict(score, spent + ", over the $" + budget + " budget");
        };
    }
}
