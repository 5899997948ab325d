package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.answer;
import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.loupe.contracts.events.Outcome;
import org.junit.jupiter.api.Test;

class JsonValidEvaluatorTest {
    private final JsonValidEvaluator evaluator = new JsonValidEvaluator();
    private final Check byDefault = evaluator.compile(json("{}"));
    private final Check always = evaluator.compile(json("{'always': true}"));

    @Test
    void outputTheCollectorParsedPasses() {
        Verdict verdict = byDefault.score(
                decision().output("{\"a\": 1}").parsedOutput(json("{'a': 1}")).build(), null);
        assertThat(verdict.score()).isEqualTo(1.0);
    }

    @Test
    void parseErrorFailsWithTheCollectorsMessage() {
        Verdict verdict = byDefault.score(
                decision()
                        .output("{a: 1")
                        .parseError("Unexpected character 'a' at 1:2")
                        .build(),
                null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).contains("Unexpected character 'a' at 1:2");
    }

    @Test
    void freeTextAnswersAreNotJudgedUnlessAlways() {
        Verdict skipped = byDefault.score(answer("Refunds take five days."), null);
        assertThat(skipped.applicable()).isFalse();
        // the reason says what would make it apply, since a user sees it in GET /v1/features/{f}/evaluation
        assertThat(skipped.reason()).contains("structured output").contains("\"always\": true");
        // a JSON null parsedOutput is no parsed output
        assertThat(byDefault.score(
                        decision()
                                .output("Refunds take five days.")
                                .parsedOutput(NullNode.instance)
                                .build(),
                        null))
                .matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void alwaysParsesTheOutputItself() {
        assertThat(always.score(answer("[1, 2, {\"x\": null}]"), null).score()).isEqualTo(1.0);

        Verdict broken = always.score(answer("{\"a\": 1,}"), null);
        assertThat(broken.score()).isZero();
        assertThat(broken.reason()).startsWith("the output is not valid JSON").contains("line 1");

        Verdict trailing = always.score(answer("{} and then some prose"), null);
        assertThat(trailing.score()).isZero();
    }

    @Test
    void noOutputFailsNamingTheStatusWhenTheCheckApplies() {
        Verdict verdict = always.score(
                decision().output(null).failed(Outcome.ERROR, "rate_limit").build(), null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).isEqualTo("the decision has no output (status ERROR, errorType rate_limit)");
    }

    @Test
    void configIsCheckedFieldByField() {
        assertThatThrownBy(() -> evaluator.compile(json("{'alwys': true}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("alwys");
                    assertThat(e.getMessage()).isEqualTo("unknown field; known: always");
                });
        assertThatThrownBy(() -> evaluator.compile(json("{'always': 'yes'}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("always"));
        assertThatThrownBy(() -> evaluator.compile(json("[]")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("config must be a JSON object"));
    }
}
