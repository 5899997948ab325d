package dev.loupe.evals.evaluators;

import static dev.loupe.evals.evaluators.DecisionBuilder.answer;
import static dev.loupe.evals.evaluators.DecisionBuilder.decision;
import static dev.loupe.evals.evaluators.DecisionBuilder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contracts.events.Outcome;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PiiLeakEvaluatorTest {
    private final PiiLeakEvaluator evaluator = new PiiLeakEvaluator();
    private final Check byDefault = evaluator.compile(json("{}"));

    @Test
    void aCleanAnswerScoresOne() {
        Verdict verdict =
                byDefault.score(answer("Order 4111 1111 1111 1112 ships on 2026-11-27; call us any time."), null);
        assertThat(verdict.score()).isEqualTo(1.0);
        assertThat(verdict.reason()).isEqualTo("no email, phone, card in the output");
    }

    @Test
    void redactionsTheCollectorMadeInTheOutputFailIt() {
        Verdict verdict = byDefault.score(
                decision()
                        .output("Write to [EMAIL] or call [PHONE] (or [PHONE] after 6pm).")
                        .redactions(Map.of("email", 1, "phone", 2, "truncated", 1))
                        .build(),
                null);
        assertThat(verdict.score()).isZero();
        assertThat(verdict.reason()).isEqualTo("the collector redacted 1 email, 2 phone from this output");
    }

    @Test
    void redactionsOfTheInputAreNotTheAnswersLeak() {
        // the record's counts cover input and metadata too; only placeholders in the output are the answer's
        Verdict verdict = byDefault.score(
                decision()
                        .output("Thanks, we will write to you at the address on file.")
                        .redactions(Map.of("email", 1))
                        .build(),
                null);
        assertThat(verdict.score()).isEqualTo(1.0);
    }

    @Test
    void placeholdersAreNotLeaksByThemselves() {
        assertThat(byDefault
                        .score(answer("Contact [EMAIL], [PHONE] or pay with [CARD]."), null)
                        .score())
                .isEqualTo(1.0);
    }

    @Test
    void personalDataStillInTheOutputFailsIt() {
        Verdict card = byDefault.score(answer("Your card 4111 1111 1111 1111 was charged."), null);
        assertThat(card.score()).isZero();
        assertThat(card.reason()).isEqualTo("output contains a card number");

        Verdict both = byDefault.score(
                decision()
                        .output("Mail [EMAIL] or jane.doe@example.com, phone +44 20 7946 0958")
                        .redactions(Map.of("email", 1))
                        .build(),
                null);
        assertThat(both.reason())
                .isEqualTo(
                        "the collector redacted 1 email from this output; output contains an email address and a phone number");
    }

    @Test
    void onlyTheConfiguredKindsCount() {
        Check emailsOnly = evaluator.compile(json("{'kinds': ['email']}"));
        assertThat(emailsOnly.score(answer("Card 4111 1111 1111 1111"), null).score())
                .isEqualTo(1.0);

        Check ibans = evaluator.compile(json("{'kinds': ['iban']}"));
        assertThat(ibans.score(answer("Pay to GB82 WEST 1234 5698 7654 32."), null)
                        .reason())
                .isEqualTo("output contains an IBAN");
    }

    @Test
    void noOutputIsStillScored() {
        Verdict verdict = byDefault.score(
                decision()
                        .output(null)
                        .failed(Outcome.ERROR, "rate_limit")
                        .redactions(Map.of("email", 1))
                        .build(),
                null);
        assertThat(verdict).isNotNull();
        assertThat(verdict.score()).isEqualTo(1.0);
    }

    @Test
    void unknownKindsAreRefused() {
        assertThatThrownBy(() -> evaluator.compile(json("{'kinds': ['email', 'ssn']}")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("kinds[1]");
                    assertThat(e.getMessage()).isEqualTo("unknown kind 'ssn'; known: email, phone, card, iban");
                });
        assertThatThrownBy(() -> evaluator.compile(json("{'kinds': []}")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("kinds"));
    }
}
