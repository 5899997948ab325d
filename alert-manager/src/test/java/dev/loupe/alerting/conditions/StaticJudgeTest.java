package dev.loupe.alerting.conditions;

import static dev.loupe.alerting.conditions.Series.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.alerting.conditions.Judgement.Verdict;
import dev.loupe.alerting.rules.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticJudgeTest {
    private final ConditionJudge judge = new StaticJudge();
    private final Condition errorRateAbove = ConditionBuilder.type(Condition.STATIC)
            .direction(Condition.ABOVE)
            .value(0.1)
            .recoveryValue(0.08)
            .build();
    private final Condition passRateBelow = ConditionBuilder.type(Condition.STATIC)
            .direction(Condition.BELOW)
            .value(0.9)
            .recoveryValue(0.95)
            .build();

    @Test
    void aboveBreachesOverTheValueWithoutAnyHistory() {
        Judgement j = judge.judge(errorRateAbove, window(0, 0.12), List.of());

        assertThat(j).isEqualTo(new Judgement(Verdict.BREACH, 0.12, 0.1, 0.08, null, "0.12 is above 0.1"));
    }

    @Test
    void aboveRecoversAtOrBelowTheRecoveryValueAndHoldsBetween() {
        assertThat(judge.judge(errorRateAbove, window(0, 0.08), List.of()).verdict())
                .isEqualTo(Verdict.RECOVERED);
        assertThat(judge.judge(errorRateAbove, window(0, 0.01), List.of()).reason())
                .isEqualTo("0.01 is at or below the recovery level 0.08");
        Judgement between = judge.judge(errorRateAbove, window(0, 0.09), List.of());
        assertThat(between.verdict()).isEqualTo(Verdict.HOLD);
        assertThat(between.reason()).isEqualTo("0.09 is between the recovery level 0.08 and the trigger 0.1");
        assertThat(judge.judge(errorRateAbove, window(0, 0.1), List.of()).verdict())
                .as("the trigger value itself is not beyond it")
                .isEqualTo(Verdict.HOLD);
    }

    @Test
    void belowMirrorsAbove() {
        assertThat(judge.judge(passRateBelow, window(0, 0.85), List.of()).verdict())
                .isEqualTo(Verdict.BREACH);
        assertThat(judge.judge(passRateBelow, window(0, 0.92), List.of()).verdict())
                .isEqualTo(Verdict.HOLD);
        assertThat(judge.judge(passRateBelow, window(0, 0.95), List.of()).verdict())
                .isEqualTo(Verdict.RECOVERED);
    }

    @Test
    void withoutRecoveryValueTheTriggerIsAlsoTheRecoveryLevel() {
        Condition c = ConditionBuilder.type(Condition.STATIC)
                .direction(Condition.ABOVE)
                .value(0.1)
                .build();

        assertThat(judge.judge(c, window(0, 0.1), List.of()))
                .isEqualTo(new Judgement(Verdict.RECOVERED, 0.1, 0.1, 0.1, null, "0.1 is at or below 0.1"));
        assertThat(judge.judge(c, window(0, 0.1001), List.of()).verdict()).isEqualTo(Verdict.BREACH);
    }

    @Test
    void aWindowWithTooFewSamplesIsSkipped() {
        Condition c = ConditionBuilder.type(Condition.STATIC)
                .direction(Condition.ABOVE)
                .value(0.1)
                .minSampleSize(50)
                .build();

        Judgement j = judge.judge(c, window(0, 0.5, 12), List.of());

        assertThat(j.verdict()).isEqualTo(Verdict.SKIP);
        assertThat(j.reason()).isEqualTo("12 samples in the window, fewer than the 50 required");
    }

    @Test
    void anEmptyWindowIsSkippedByDefaultButJudgedWhenMinSampleSizeIsZero() {
        Condition trafficStopped = ConditionBuilder.type(Condition.STATIC)
                .direction(Condition.BELOW)
                .value(1)
                .build();
        Condition judgedWhenEmpty = ConditionBuilder.type(Condition.STATIC)
                .direction(Condition.BELOW)
                .value(1)
                .minSampleSize(0)
                .build();

        assertThat(judge.judge(trafficStopped, window(0, 0, 0), List.of()).verdict())
                .isEqualTo(Verdict.SKIP);
        assertThat(judge.judge(judgedWhenEmpty, window(0, 0, 0), List.of()).verdict())
                .isEqualTo(Verdict.BREACH);
    }

    @Test
    void aConditionOfAnotherTypeIsRefused() {
        Condition baseline = ConditionBuilder.type(Condition.BASELINE)
                .direction(Condition.ABOVE)
                .k(3)
                .build();

        assertThatThrownBy(() -> judge.judge(baseline, window(0, 1), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("baseline");
    }
}
