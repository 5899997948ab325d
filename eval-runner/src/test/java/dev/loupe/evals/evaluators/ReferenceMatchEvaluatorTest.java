package dev.loupe.evals.evaluators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contracts.events.DecisionRecord;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ReferenceMatchEvaluatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Check check = new ReferenceMatchEvaluator().compile(JSON.createObjectNode());

    @Test
    void theSameWordsScoreOneWhateverTheCasePunctuationAndSpacing() {
        Verdict v = check.score(DecisionBuilder.answer("Refunds: within 30 days!"), "refunds within  30 days");
        assertThat(v.score()).isEqualTo(1.0);
    }

    @Test
    void partialOverlapScoresTheTokenF1() {
        // output 4 words, reference 6 words, 3 shared: precision 3/4, recall 3/6, F1 = 2·(3/4)(1/2)/(3/4 + 1/2) = 0.6
        Verdict v = check.score(
                DecisionBuilder.answer("refunds take sixty days"), "refunds take thirty days from delivery");
        assertThat(v.score()).isCloseTo(0.6, Offset.offset(1e-9));
        assertThat(v.reason()).contains("3 of the output's 4 words").contains("F1 0.600");
    }

    @Test
    void repeatedWordsCountOnlyAsOftenAsTheReferenceHasThem() {
        // output "no no no yes": "no" once in the reference, so 2 shared of 4 and of 2: F1 = 2·(1/2)(1)/(3/2) = 2/3
        Verdict v = check.score(DecisionBuilder.answer("no no no yes"), "no yes");
        assertThat(v.score()).isCloseTo(2.0 / 3, Offset.offset(1e-9));
    }

    @Test
    void nothingInCommonScoresZeroAndNoReferenceMeansNotApplicable() {
        assertThat(check.score(DecisionBuilder.answer("absolutely"), "never").score())
                .isZero();
        assertThat(check.score(DecisionBuilder.answer("anything"), null))
                .matches(v -> !v.applicable(), "not applicable");
        DecisionRecord empty = DecisionBuilder.answer(null);
        assertThat(check.score(empty, "thirty days").score()).isZero();
    }

    @Test
    void itTakesNoConfiguration() {
        assertThatThrownBy(() -> new ReferenceMatchEvaluator()
                        .compile(JSON.createObjectNode().put("threshold", 1)))
                .isInstanceOf(InvalidConfigException.class);
    }
}
