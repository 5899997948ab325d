package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.Outcome;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One decision that produced nothing, put to every evaluator: content checks fail, absence checks abstain. */
class NoOutputRuleTest {
    private static final String REASON = "the decision has no output (status ERROR, errorType rate_limit)";
    private static final DecisionRecord RATE_LIMITED = decision()
            .output(null)
            .failed(Outcome.ERROR, "rate_limit")
            .redactions(Map.of())
            .build();

    private static Verdict score(Evaluator evaluator, String config) {
        return evaluator.compile(json(config)).score(RATE_LIMITED, null);
    }

    @Test
    void contentEvaluatorsFailNamingTheStatusAndErrorType() {
        Map<Evaluator, String> content = Map.of(
                new JsonValidEvaluator(),
                "{'always': true}",
                new JsonSchemaEvaluator(),
                "{'schema': {'type': 'object'}}",
                RegexEvaluator.match(),
                "{'pattern': 'x'}",
                ContainsEvaluator.all(),
                "{'values': ['x']}",
                new LengthBetweenEvaluator(),
                "{'min': 0}",
                MatchEvaluator.exact(),
                "{'reference': 'x'}",
                MatchEvaluator.normalized(),
                "{'reference': 'x'}");
        content.forEach((evaluator, config) -> {
            Verdict verdict = score(evaluator, config);
            assertThat(verdict).as(evaluator.name()).isNotNull();
            assertThat(verdict.score()).as(evaluator.name()).isZero();
            assertThat(verdict.reason()).as(evaluator.name()).isEqualTo(REASON);
        });
    }

    @Test
    void absenceEvaluatorsDoNotApply() {
        assertThat(score(RegexEvaluator.absent(), "{'pattern': 'x'}")).matches(v -> !v.applicable(), "not applicable");
        assertThat(score(ContainsEvaluator.none(), "{'values': ['x']}"))
                .matches(v -> !v.applicable(), "not applicable");
        assertThat(score(new RefusalEvaluator(), "{}")).matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void jsonValidDoesNotApplyWhenNoStructuredOutputWasExpected() {
        assertThat(score(new JsonValidEvaluator(), "{}")).matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void piiLeakIsDecidedWithoutTheOutput() {
        assertThat(score(new PiiLeakEvaluator(), "{}").score()).isEqualTo(1.0);
    }
}
