package dev.loupe.alerting.conditions;

import static dev.loupe.alerting.conditions.Series.history;
import static dev.loupe.alerting.conditions.Series.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.alerting.conditions.Judgement.Verdict;
import dev.loupe.alerting.rules.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BaselineJudgeTest {
    private final ConditionJudge judge = new BaselineJudge();
    /** The rule: eval pass rate, direction below, k 3 over 60 windows, at least 10. */
    private final Condition passRateDrop = ConditionBuilder.type(Condition.BASELINE)
            .direction(Condition.BELOW)
            .k(3)
            .baselineWindows(60)
            .minBaselineWindows(10)
            .build();

    /** 60 windows alternating around 0.885 by ±0.0202: mean 0.885, population σ 0.0202. */
    private static List<WindowPoint> evenBaseline() {
        double[] values = new double[60];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.885 + (i % 2 == 0 ? 0.0202 : -0.0202);
        }
        return history(values);
    }

    @Test
    void breachesBelowMeanMinusKSigmaAndSaysSoInNumbers() {
        Judgement j = judge.judge(passRateDrop, window(0, 0.79), evenBaseline());

        assertThat(j.verdict()).isEqualTo(Verdict.BREACH);
        assertThat(j.reason()).isEqualTo("0.79 is below 0.824 = 0.885 − 3 × 0.0202 over 60 windows");
        assertThat(j.threshold()).isCloseTo(0.885 - 3 * 0.0202, within(1e-12));
        assertThat(j.recoveryThreshold())
                .as("recoveryK defaults to k − 1")
                .isCloseTo(0.885 - 2 * 0.0202, within(1e-12));
        assertThat(j.baseline()).isCloseTo(0.885, within(1e-12));
        assertThat(j.value()).isEqualTo(0.79);
    }

    @Test
    void recoversAtTheRecoveryLevelAndHoldsBetweenItAndTheTrigger() {
        Judgement recovered = judge.judge(passRateDrop, window(0, 0.85), evenBaseline());
        Judgement between = judge.judge(passRateDrop, window(0, 0.83), evenBaseline());

        assertThat(recovered.verdict()).isEqualTo(Verdict.RECOVERED);
        assertThat(recovered.reason()).isEqualTo("0.85 is back at or above 0.845 = 0.885 − 2 × 0.0202 over 60 windows");
        assertThat(between.verdict()).isEqualTo(Verdict.HOLD);
        assertThat(between.reason())
                .isEqualTo(
                        "0.83 is between the trigger 0.824 and the recovery level 0.845 = 0.885 − 2 × 0.0202 over 60 windows");
    }

    @Test
    void aboveMirrorsBelow() {
        Condition above = ConditionBuilder.type(Condition.BASELINE)
                .direction(Condition.ABOVE)
                .k(3)
                .recoveryK(1)
                .build();

        assertThat(judge.judge(above, window(0, 0.95), evenBaseline()).verdict())
                .isEqualTo(Verdict.BREACH);
        assertThat(judge.judge(above, window(0, 0.92), evenBaseline()).verdict())
                .isEqualTo(Verdict.HOLD);
        assertThat(judge.judge(above, window(0, 0.90), evenBaseline()).verdict())
                .isEqualTo(Verdict.RECOVERED);
        assertThat(judge.judge(above, window(0, 0.95), evenBaseline()).reason())
                .isEqualTo("0.95 is above 0.946 = 0.885 + 3 × 0.0202 over 60 windows");
    }

    @Test
    void learnsUntilMinBaselineWindowsHaveEnoughSamples() {
        List<WindowPoint> history = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            history.add(window(-1 - i, 0.88, i % 5 == 0 ? 80 : 3));
        }
        Condition c = ConditionBuilder.type(Condition.BASELINE)
                .direction(Condition.BELOW)
                .k(3)
                .minSampleSize(50)
                .build();

        Judgement j = judge.judge(c, window(0, 0.2, 80), history);

        assertThat(j.verdict()).isEqualTo(Verdict.SKIP);
        assertThat(j.reason()).isEqualTo("learning: 4 of 10 baseline windows");
        assertThat(judge.judge(c, window(0, 0.2, 49), evenBaseline()).reason())
                .isEqualTo("49 samples in the window, fewer than the 50 required");
    }

    @Test
    void usesOnlyTheMostRecentBaselineWindowsAndSkipsSmallOnesWithoutCountingThem() {
        List<WindowPoint> history = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            history.add(window(-1 - i, 0.1, 2)); // too few samples: passed over, not counted
        }
        for (int i = 0; i < 10; i++) {
            history.add(window(-6 - i, i % 2 == 0 ? 0.89 : 0.87));
        }
        for (int i = 0; i < 100; i++) {
            history.add(window(-16 - i, 0.5)); // older than the 10 windows the rule reads
        }
        Condition c = ConditionBuilder.type(Condition.BASELINE)
                .direction(Condition.BELOW)
                .k(3)
                .baselineWindows(10)
                .minSampleSize(10)
                .build();

        Judgement j = judge.judge(c, window(0, 0.85), history);

        assertThat(j.baseline()).isCloseTo(0.88, within(1e-12));
        assertThat(j.threshold()).isCloseTo(0.85, within(1e-12));
        assertThat(j.reason()).endsWith("over 10 windows");
    }

    @Test
    void aPerfectlyFlatBaselineGetsTheSigmaFloorInsteadOfAZeroWidthBand() {
        List<WindowPoint> flat = Series.history(60, () -> 0.9);

        Judgement tiny = judge.judge(passRateDrop, window(0, 0.8999), flat);
        Judgement real = judge.judge(passRateDrop, window(0, 0.87), flat);

        assertThat(tiny.verdict()).as("a 0.0001 dip is not an incident").isNotEqualTo(Verdict.BREACH);
        assertThat(tiny.threshold()).as("floor = 0.5% of the mean").isCloseTo(0.9 - 3 * 0.0045, within(1e-12));
        assertThat(real.verdict()).isEqualTo(Verdict.BREACH);
        assertThat(real.reason())
                .isEqualTo("0.87 is below 0.887 = 0.9 − 3 × 0.0045 over 60 windows, spread 0 raised to the floor");

        Condition floored = ConditionBuilder.type(Condition.BASELINE)
                .direction(Condition.BELOW)
                .k(3)
                .sigmaFloor(0.01)
                .build();
        assertThat(judge.judge(floored, window(0, 0.871), flat).verdict()).isEqualTo(Verdict.HOLD);
        assertThat(judge.judge(floored, window(0, 0.869), flat).verdict()).isEqualTo(Verdict.BREACH);
    }

    @Test
    void aBaselineFlatAtZeroStillHasABandSoZeroItselfIsNotABreach() {
        Condition errorsAppear = ConditionBuilder.type(Condition.BASELINE)
                .direction(Condition.ABOVE)
                .k(3)
                .build();
        List<WindowPoint> zeros = Series.history(60, () -> 0);

        assertThat(judge.judge(errorsAppear, window(0, 0), zeros).verdict()).isEqualTo(Verdict.RECOVERED);
        assertThat(judge.judge(errorsAppear, window(0, 0.01), zeros).verdict()).isEqualTo(Verdict.BREACH);
    }

    @Test
    void aWindowWithoutAFiniteValueIsSkipped() {
        assertThat(judge.judge(passRateDrop, window(0, Double.NaN), evenBaseline())
                        .verdict())
                .isEqualTo(Verdict.SKIP);
    }

    /** The example: the same rule, two series with different noise, different verdicts. */
    @Test
    void theSameRuleLearnsATightBandForASteadySeriesAndAWideOneForANoisySeries() {
        Random random = new Random(20261127);
        List<WindowPoint> noisy = Series.history(60, () -> 0.85 + 0.07 * random.nextDouble());
        List<WindowPoint> steady = Series.history(60, () -> 0.92 + 0.03 * random.nextDouble());

        Map<String, Judgement> verdicts = new LinkedHashMap<>();
        verdicts.put("noisy 0.79", judge.judge(passRateDrop, window(0, 0.79), noisy));
        verdicts.put("noisy 0.86", judge.judge(passRateDrop, window(0, 0.86), noisy));
        verdicts.put("steady 0.89", judge.judge(passRateDrop, window(0, 0.89), steady));
        verdicts.put("steady 0.93", judge.judge(passRateDrop, window(0, 0.93), steady));
        verdicts.forEach((name, j) -> System.out.printf("baseline, %s: %s (%s)%n", name, j.verdict(), j.reason()));

        assertThat(verdicts.get("noisy 0.79").verdict()).isEqualTo(Verdict.BREACH);
        assertThat(verdicts.get("noisy 0.86").verdict()).isNotEqualTo(Verdict.BREACH);
        assertThat(verdicts.get("steady 0.89").verdict()).isEqualTo(Verdict.BREACH);
        assertThat(verdicts.get("steady 0.93").verdict()).isNotEqualTo(Verdict.BREACH);
        assertThat(judge.judge(passRateDrop, window(0, 0.86), steady).verdict())
                .as("0.86, ordinary for the noisy series, is an incident for the steady one")
                .isEqualTo(Verdict.BREACH);
    }

    @Test
    void aDayOfNormalNoiseBreachesInFewerThanOnePercentOfWindows() {
        Random random = new Random(7);
        List<WindowPoint> day = Series.minutes(1440, () -> 0.88 + 0.02 * random.nextGaussian());

        List<Judgement> judgements = Series.replay(passRateDrop, day);

        Map<Verdict, Integer> counts = Series.count(judgements);
        int judged = judgements.size() - counts.get(Verdict.SKIP);
        double rate = (double) counts.get(Verdict.BREACH) / judged;
        System.out.printf(
                "baseline false positives: %d BREACH of %d judged one-minute windows (%.2f%%), %s%n",
                counts.get(Verdict.BREACH), judged, 100 * rate, counts);
        assertThat(counts.get(Verdict.SKIP)).as("the first 10 windows learn").isEqualTo(10);
        assertThat(rate).isLessThan(0.01);
    }
}
