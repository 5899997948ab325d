package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.answer;
import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contracts.events.Outcome;
import org.junit.jupiter.api.Test;

class MatchEvaluatorTest {
    private final Evaluator exact = MatchEvaluator.exact();
    private final Evaluator normalized = MatchEvaluator.normalized();

    @Test
    void exactMatchComparesWithTheConfiguredReference() {
        Check check = exact.compile(json("{'reference': 'Paris'}"));
        assertThat(check.score(answer("Paris"), null).score()).isEqualTo(1.0);

        Verdict verdict = check.score(answer("Paris."), null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason())
                .isEqualTo("the output differs from the reference at character 5 (lengths 6 and 5)");
    }

    @Test
    void theEvaluationsReferenceWinsOverTheConfigs() {
        Check check = exact.compile(json("{'reference': 'Paris'}"));
        assertThat(check.score(answer("Lyon"), "Lyon").score()).isEqualTo(1.0);
        assertThat(check.score(answer("Paris"), "Lyon").score()).isZero();
    }

    @Test
    void withoutAnyReferenceThereIsNothingToJudge() {
        assertThat(exact.compile(json("{}")).score(answer("Paris"), null))
                .matches(v -> !v.applicable(), "not applicable");
        assertThat(normalized.compile(json("{}")).score(decision().output(null).build(), null))
                .matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void normalizedMatchIgnoresCaseWidthPunctuationAndSpacing() {
        Check check = normalized.compile(json("{'reference': 'hello world'}"));
        Verdict verdict = check.score(answer("  Hello,\n  ＷＯＲＬＤ!! "), null);
        assertThat(verdict.score()).isEqualTo(1.0);
        assertThat(verdict.reason()).isEqualTo("the output equals the reference after normalization");
        assertThat(exact.compile(json("{'reference': 'hello world'}"))
                        .score(answer("Hello, world!"), null)
                        .score())
                .isZero();

        Verdict different = check.score(answer("Hello, there"), null);
        assertThat(different.score()).isZero();
        assertThat(different.reason())
                .startsWith("the output differs from the reference after normalization at character 6");
    }

    @Test
    void normalizationSpelledOut() {
        assertThat(MatchEvaluator.normalize(" Don’t   STOP—now…\t")).isEqualTo("dont stopnow");
        assertThat(MatchEvaluator.normalize("ﬁve ①")).isEqualTo("five 1");
    }

    @Test
    void noOutputFailsWhenThereIsAReference() {
        Verdict verdict = exact.compile(json("{}"))
                .score(
                        decision()
                                .output(null)
                                .failed(Outcome.ERROR, "content_filter")
                                .build(),
                        "Paris");
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).isEqualTo("the decision has no output (status ERROR, errorType content_filter)");
    }

    @Test
    void referenceMustBeAString() {
        assertThatThrownBy(() -> exact.compile(json("{'reference': 42}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("reference");
                    assertThat(e.getMessage()).isEqualTo("must be a string");
                });
        assertThatThrownBy(() -> normalized.compile(json("{'expected': 'x'}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("expected"));
    }
}
