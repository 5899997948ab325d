package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contracts.events.Outcome;
import org.junit.jupiter.api.Test;

class GroundedInRetrievalEvaluatorTest {
    private final GroundedInRetrievalEvaluator evaluator = new GroundedInRetrievalEvaluator();
    private final Check check = evaluator.compile(json("{}"));

    @Test
    void citationsFieldOfTheParsedOutputIsUsedFirst() {
        Verdict verdict = check.score(
                decision()
                        .output("{...}")
                        .parsedOutput(json("{'answer': 'Five days [d9].', 'citations': ['d1', 'd2']}"))
                        .retrieved("d1", "d2", "d3")
                        .build(),
                null);
        assertThat(verdict.score()).isEqualTo(1.0);
        assertThat(verdict.reason()).isEqualTo("all 2 cited documents were retrieved");
    }

    @Test
    void citationObjectsMayNameTheirIdAsDocIdOrId() {
        Verdict verdict = check.score(
                decision()
                        .parsedOutput(json("{'citations': [{'docId': 'd1', 'quote': 'x'}, {'id': 'd9'}]}"))
                        .retrieved("d1")
                        .build(),
                null);
        assertThat(verdict.score()).isEqualTo(0.5);
        assertThat(verdict.reason()).isEqualTo("1 of 2 cited documents were retrieved; not retrieved: 'd9'");
    }

    @Test
    void citationsInTheTextAreFoundWithThePatternAndCountedOnce() {
        Verdict verdict = check.score(
                decision()
                        .output("Refunds take five days [doc:d1][d7]. Shipping is free [d1].")
                        .retrieved("d1", "d2")
                        .build(),
                null);
        assertThat(verdict.score()).isEqualTo(0.5);
        assertThat(verdict.reason()).endsWith("not retrieved: 'd7'");
    }

    @Test
    void citingWithoutAnyRetrievalSaysSo() {
        Verdict verdict = check.score(
                decision().output("See [a] [b] [c] [d] [e] [f] [g].").build(), null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason())
                .isEqualTo("0 of 7 cited documents were retrieved; not retrieved: "
                        + "'a', 'b', 'c', 'd', 'e' and 2 more; the decision retrieved no documents");
    }

    @Test
    void anAnswerWithoutCitationsIsNotJudgedUnlessCitationsAreRequired() {
        var uncited =
                decision().output("Refunds take five days.").retrieved("d1").build();
        assertThat(check.score(uncited, null)).matches(v -> !v.applicable(), "not applicable");
        Verdict required = evaluator.compile(json("{'requireCitations': true}")).score(uncited, null);
        assertThat(required.score()).isZero();
        assertThat(required.reason()).isEqualTo("the answer cites no documents");

        var failed = decision()
                .output(null)
                .failed(Outcome.ERROR, "timeout")
                .retrieved("d1")
                .build();
        assertThat(check.score(failed, null)).matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void fieldAndPatternAreConfigurable() {
        Check custom = evaluator.compile(
                json("{'citationsField': 'sources', 'citationPattern': '\\\\(source: (\\\\w+)\\\\)'}"));
        assertThat(custom.score(
                                decision()
                                        .parsedOutput(json("{'sources': ['kb7']}"))
                                        .retrieved("kb7")
                                        .build(),
                                null)
                        .score())
                .isEqualTo(1.0);
        assertThat(custom.score(
                                decision()
                                        .output("Yes (source: kb8).")
                                        .retrieved("kb7")
                                        .build(),
                                null)
                        .score())
                .isZero();
    }

    @Test
    void patternMustCompileAndCaptureTheId() {
        assertThatThrownBy(() -> evaluator.compile(json("{'citationPattern': '\\\\[doc:\\\\w+\\\\]'}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("citationPattern");
                    assertThat(e.getMessage()).isEqualTo("must have a capturing group for the document id");
                });
        assertThatThrownBy(() -> evaluator.compile(json("{'citationPattern': '(['}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("citationPattern"));
        assertThatThrownBy(() -> evaluator.compile(json("{'citationsField': ''}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("citationsField"));
    }
}
