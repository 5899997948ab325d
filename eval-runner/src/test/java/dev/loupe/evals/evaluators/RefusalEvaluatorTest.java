package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.answer;
import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.Outcome;
import org.junit.jupiter.api.Test;

class RefusalEvaluatorTest {
    private final RefusalEvaluator evaluator = new RefusalEvaluator();
    private final Check check = evaluator.compile(json("{}"));

    @Test
    void openingRefusalsScoreZeroAndQuoteThePhrase() {
        assertThat(check.score(answer("I'm sorry, but I can't share that information."), null)
                        .reason())
                .isEqualTo("the answer is a refusal: 'I'm sorry, but I can't'");
        String[] refusals = {
            "I can't help with requests like this.",
            "I can’t assist with that.",
            "Unfortunately I cannot assist you with this.",
            "As an AI language model, I have no opinion on that.",
            "As an AI, I do not have access to your account.",
            "I am unable to look up other customers' orders.",
            "I won't be able to provide legal advice.",
        };
        for (String refusal : refusals) {
            assertThat(check.score(answer(refusal), null).score()).as(refusal).isZero();
        }
    }

    @Test
    void ordinaryAnswersScoreOne() {
        String[] answers = {
            "Your refund was issued on Monday and arrives within five days.",
            "I can't wait to help you plan the trip: here is an itinerary.",
            "Sure, I can help with that. First, open Settings.",
        };
        for (String ordinary : answers) {
            Verdict verdict = check.score(answer(ordinary), null);
            assertThat(verdict.score()).as(ordinary).isEqualTo(1.0);
        }
    }

    @Test
    void aPhraseQuotedFurtherDownIsNotARefusal() {
        String text =
                "Here is the support macro you asked for. ".repeat(8) + "It begins: \"I cannot assist with that\".";
        assertThat(text.indexOf("I cannot")).isGreaterThan(RefusalEvaluator.WINDOW);
        assertThat(check.score(answer(text), null).score()).isEqualTo(1.0);
    }

    @Test
    void extraPatternsAddPhrases() {
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        config.putArray("extraPatterns").add("je ne peux pas").add("\\bnot (?:allowed|permitted) to\\b");
        Check withFrench = evaluator.compile(config);
        assertThat(withFrench
                        .score(answer("Je ne peux pas répondre à cette question."), null)
                        .reason())
                .isEqualTo("the answer is a refusal: 'Je ne peux pas'");
        assertThat(withFrench
                        .score(answer("Policy: I am not permitted to discuss pricing."), null)
                        .score())
                .isZero();
        assertThat(withFrench.score(answer("Bonjour, voici la réponse."), null).score())
                .isEqualTo(1.0);
    }

    @Test
    void noOutputIsNotJudged() {
        assertThat(check.score(
                        decision()
                                .output(null)
                                .failed(Outcome.ERROR, "rate_limit")
                                .build(),
                        null))
                .matches(v -> !v.applicable(), "not applicable");
    }

    @Test
    void invalidExtraPatternIsRefusedByIndex() {
        assertThatThrownBy(() -> evaluator.compile(json("{'extraPatterns': ['ok', '[unclosed']}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("extraPatterns[1]");
                    assertThat(e.getMessage()).startsWith("Unclosed character class");
                });
    }
}
