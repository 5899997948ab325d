package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.answer;
import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LengthBetweenEvaluatorTest {
    private final LengthBetweenEvaluator evaluator = new LengthBetweenEvaluator();

    @Test
    void charactersAreCodePoints() {
        Check atMostThree = evaluator.compile(json("{'max': 3}"));
        Verdict emoji = atMostThree.score(answer("😀😀😀"), null);
        assertThat(emoji.score()).isEqualTo(1.0);
        assertThat(emoji.reason()).isEqualTo("3 chars (allowed: at most 3)");

        Verdict tooLong = atMostThree.score(answer("four"), null);
        assertThat(tooLong.score()).isZero();
        assertThat(tooLong.reason()).isEqualTo("4 chars, above the maximum of 3");
    }

    @Test
    void wordsAreRunsOfNonWhitespace() {
        Check words = evaluator.compile(json("{'min': 5, 'max': 10, 'unit': 'words'}"));
        Verdict shortAnswer = words.score(answer("  one two\u00A0three\n\tfour "), null);
        assertThat(shortAnswer.score()).isZero();
        assertThat(shortAnswer.reason()).isEqualTo("4 words, below the minimum of 5");
        assertThat(words.score(answer("one two three four five"), null).reason())
                .isEqualTo("5 words (allowed: 5 to 10)");
    }

    @Test
    void noOutputFails() {
        Verdict verdict = evaluator
                .compile(json("{'min': 0}"))
                .score(decision().output("").build(), null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).isEqualTo("the decision has no output (status SUCCESS)");
    }

    @Test
    void boundsAreChecked() {
        assertThatThrownBy(() -> evaluator.compile(json("{'min': 10, 'max': 5}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("min");
                    assertThat(e.getMessage()).isEqualTo("must not exceed max (5)");
                });
        assertThatThrownBy(() -> evaluator.compile(json("{'unit': 'words'}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("give min, max or both"));
        assertThatThrownBy(() -> evaluator.compile(json("{'max': -1}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("max");
                    assertThat(e.getMessage()).isEqualTo("must be an integer of at least 0");
                });
        assertThatThrownBy(() -> evaluator.compile(json("{'max': 2.5}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("max"));
        assertThatThrownBy(() -> evaluator.compile(json("{'max': 5, 'unit': 'tokens'}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("unit"));
    }
}
