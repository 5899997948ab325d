package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.answer;
import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.Outcome;
import org.junit.jupiter.api.Test;

class ContainsEvaluatorTest {
    private final Evaluator all = ContainsEvaluator.all();
    private final Evaluator none = ContainsEvaluator.none();

    @Test
    void containsAllScoresTheShareFoundAndNamesWhatIsMissing() {
        Check check = all.compile(json("{'values': ['refund', 'five days', 'receipt']}"));
        assertThat(check.score(answer("Send the receipt; your refund arrives in five days."), null)
                        .score())
                .isEqualTo(1.0);

        Verdict partial = check.score(answer("Your REFUND arrives in Five Days."), null);
        assertThat(partial.score()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(partial.reason()).isEqualTo("found 2 of 3 required values; missing 'receipt'");
    }

    @Test
    void caseSensitiveMatchingIsOptIn() {
        Check check = all.compile(json("{'values': ['ACME'], 'caseSensitive': true}"));
        assertThat(check.score(answer("Acme Corp"), null).score()).isZero();
        assertThat(check.score(answer("ACME Corp"), null).score()).isEqualTo(1.0);
        // case-insensitive by default, beyond ASCII too
        assertThat(all.compile(json("{'values': ['ÉTÉ']}"))
                        .score(answer("cet été"), null)
                        .score())
                .isEqualTo(1.0);
    }

    @Test
    void containsNoneScoresTheShareAbsentAndNamesWhatWasFound() {
        Check check = none.compile(json("{'values': ['competitor', 'guarantee', 'lawsuit']}"));
        assertThat(check.score(answer("We ship worldwide."), null).reason())
                .isEqualTo("none of the 3 forbidden values occurs in the output");

        Verdict verdict = check.score(answer("Unlike our Competitor, we offer a GUARANTEE."), null);
        assertThat(verdict.score()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(verdict.reason()).isEqualTo("found 2 of 3 forbidden values: 'competitor', 'guarantee'");
    }

    @Test
    void noOutputFailsContainsAllAndLeavesContainsNoneUnjudged() {
        var failed = decision().output(null).failed(Outcome.ERROR, "rate_limit").build();
        Verdict verdict = all.compile(json("{'values': ['x']}")).score(failed, null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).contains("status ERROR, errorType rate_limit");
        assertThat(none.compile(json("{'values': ['x']}")).score(failed, null))
                .matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void valuesMustBeOneToAHundredNonEmptyStrings() {
        assertThatThrownBy(() -> all.compile(json("{'values': []}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("values");
                    assertThat(e.getMessage()).isEqualTo("must hold 1 to 100 values, has 0");
                });
        assertThatThrownBy(() -> none.compile(json("{'values': ['a', 'b', '']}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("values[2]");
                    assertThat(e.getMessage()).isEqualTo("must be a non-empty string");
                });
        assertThatThrownBy(() -> all.compile(json("{'values': 'refund'}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("values"));
        ObjectNode tooMany = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < 101; i++) {
            tooMany.withArray("values").add("v" + i);
        }
        assertThatThrownBy(() -> all.compile(tooMany))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("must hold 1 to 100 values, has 101"));
        assertThatThrownBy(() -> all.compile(json("{'values': ['a'], 'ignoreCase': true}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("unknown field; known: values, caseSensitive"));
    }
}
