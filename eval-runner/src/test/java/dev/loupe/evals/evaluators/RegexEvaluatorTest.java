package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.answer;
import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.loupe.contracts.events.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RegexEvaluatorTest {
    private final Evaluator match = RegexEvaluator.match();
    private final Evaluator absent = RegexEvaluator.absent();

    @Test
    void matchPassesWhenThePatternIsFoundAndQuotesIt() {
        Check orderId = match.compile(json("{'pattern': 'ORD-[0-9]{6}'}"));
        Verdict found = orderId.score(answer("Your order ORD-004211 ships today."), null);
        assertThat(found.score()).isEqualTo(1.0);
        assertThat(found.reason()).contains("'ORD-004211'");

        Verdict missing = orderId.score(answer("Your order ships today."), null);
        assertThat(missing.score()).isZero();
        assertThat(missing.reason()).isEqualTo("the output does not match the pattern");
    }

    @Test
    void flagsAndInlineFlagsBothWork() {
        assertThat(match.compile(json("{'pattern': 'REFUND', 'flags': 'i'}"))
                        .score(answer("a refund"), null)
                        .score())
                .isEqualTo(1.0);
        assertThat(match.compile(json("{'pattern': '(?i)REFUND'}"))
                        .score(answer("a refund"), null)
                        .score())
                .isEqualTo(1.0);
        assertThat(match.compile(json("{'pattern': 'REFUND'}"))
                        .score(answer("a refund"), null)
                        .score())
                .isZero();
        assertThat(match.compile(json("{'pattern': '^b', 'flags': 'm'}"))
                        .score(answer("a\nb"), null)
                        .score())
                .isEqualTo(1.0);
        assertThat(match.compile(json("{'pattern': 'a.b', 'flags': 's'}"))
                        .score(answer("a\nb"), null)
                        .score())
                .isEqualTo(1.0);
    }

    @Test
    void absentFailsQuotingTheFirstMatchCutTo80Characters() {
        Check noUrls = absent.compile(json("{'pattern': 'https?://\\\\S+'}"));
        assertThat(noUrls.score(answer("See the help centre."), null).score()).isEqualTo(1.0);

        String longUrl = "https://example.com/" + "x".repeat(200);
        Verdict verdict = noUrls.score(answer("See " + longUrl + " and https://second.example"), null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).isEqualTo("the output contains '" + longUrl.substring(0, 80) + "…'");
    }

    @Test
    void noOutputFailsAMatchAndLeavesAnAbsenceUnjudged() {
        var failed = decision().output(null).failed(Outcome.ERROR, "timeout").build();
        Verdict verdict = match.compile(json("{'pattern': 'x'}")).score(failed, null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).isEqualTo("the decision has no output (status ERROR, errorType timeout)");
        assertThat(absent.compile(json("{'pattern': 'x'}")).score(failed, null))
                .matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void catastrophicBacktrackingIsCutOffAndLeavesTheDecisionUnjudged() {
        String text = "a".repeat(30_000) + "b";
        for (Evaluator evaluator : new Evaluator[] {match, absent}) {
            Check check = evaluator.compile(json("{'pattern': '(a+)+$'}"));
            Verdict verdict = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> check.score(answer(text), null));
            assertThat(verdict).as(evaluator.name()).matches(v -> !v.applicable(), "not applicable");
        }
    }

    @Test
    void invalidPatternIsRefusedOnOneLine() {
        assertThatThrownBy(() -> match.compile(json("{'pattern': '(unclosed'}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("pattern");
                    assertThat(e.getMessage()).isEqualTo("Unclosed group near index 9");
                });
    }

    @Test
    void configFieldsAreChecked() {
        assertThatThrownBy(() -> absent.compile(json("{'pattern': 'x', 'flag': 'i'}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("flag");
                    assertThat(e.getMessage()).isEqualTo("unknown field; known: pattern, flags");
                });
        assertThatThrownBy(() -> absent.compile(json("{'pattern': 'x', 'flags': 'ig'}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("flags");
                    assertThat(e.getMessage()).isEqualTo("unknown flag 'g'; allowed: i, m, s, x");
                });
        assertThatThrownBy(() -> match.compile(json("{}"))).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.field()).isEqualTo("pattern");
            assertThat(e.getMessage()).isEqualTo("required");
        });
        assertThatThrownBy(() -> match.compile(json("{'pattern': ''}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("pattern"));
    }
}
