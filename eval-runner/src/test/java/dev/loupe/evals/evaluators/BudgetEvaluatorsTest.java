package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BudgetEvaluatorsTest {
    private final LatencyBudgetEvaluator latency = new LatencyBudgetEvaluator();
    private final CostBudgetEvaluator cost = new CostBudgetEvaluator();

    @Test
    void latencyWithinBudgetScoresOneAndOverItScoresBudgetOverActual() {
        Check check = latency.compile(json("{'maxMs': 2000}"));
        Verdict within = check.score(decision().output("x").latencyMs(2000L).build(), null);
        assertThat(within.score()).isEqualTo(1.0);
        assertThat(within.reason()).isEqualTo("2000 ms, within the 2000 ms budget");

        Verdict twiceOver = check.score(decision().output("x").latencyMs(4000L).build(), null);
        assertThat(twiceOver.score()).isEqualTo(0.5);
        assertThat(twiceOver.reason()).isEqualTo("4000 ms, over the 2000 ms budget");

        assertThat(check.score(decision().output("x").latencyMs(null).build(), null))
                .matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void costWithinBudgetScoresOneAndOverItScoresBudgetOverActual() {
        Check check = cost.compile(json("{'maxUsd': 0.01}"));
        assertThat(check.score(decision().output("x").costUsd("0.0042").build(), null)
                        .reason())
                .isEqualTo("$0.0042, within the $0.01 budget");

        Verdict over = check.score(decision().output("x").costUsd("0.030").build(), null);
        assertThat(over.score()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(over.reason()).isEqualTo("$0.03, over the $0.01 budget");

        assertThat(check.score(decision().output("x").costUsd(null).build(), null))
                .matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void budgetsMustBePositive() {
        assertThatThrownBy(() -> latency.compile(json("{'maxMs': 0}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("maxMs");
                    assertThat(e.getMessage()).isEqualTo("must be a positive integer");
                });
        assertThatThrownBy(() -> latency.compile(json("{'maxMs': '2000'}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("maxMs"));
        assertThatThrownBy(() -> latency.compile(json("{}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("required"));
        assertThatThrownBy(() -> cost.compile(json("{'maxUsd': -0.5}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("maxUsd");
                    assertThat(e.getMessage()).isEqualTo("must be a number greater than 0");
                });
        assertThatThrownBy(() -> cost.compile(json("{'maxUsd': 1, 'currency': 'EUR'}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("currency"));
    }
}
