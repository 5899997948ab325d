package dev.loupe.alerting.conditions;

import static dev.loupe.alerting.conditions.Series.quantiles;
import static dev.loupe.alerting.conditions.Series.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.alerting.conditions.Judgement.Verdict;
import dev.loupe.alerting.rules.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShiftJudgeTest {
    private final ConditionJudge judge = new ShiftJudge();
    private final Condition tailShift =
            ConditionBuilder.type(Condition.SHIFT).threshold(0.405).build();

    /** 60 windows with p50 800, p90 1500, p95 2000, p99 3500 ms. */
    private static List<WindowPoint> steadyLatency() {
        List<WindowPoint> history = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            history.add(quantiles(-1 - i, 800, 1500, 2000, 3500));
        }
        return history;
    }

    @Test
    void breachesWhenP95DoublesWhileP50Stays() {
        Judgement j = judge.judge(tailShift, quantiles(0, 800, 1600, 4000, 6300), steadyLatency());

        assertThat(j.verdict()).isEqualTo(Verdict.BREACH);
        assertThat(j.value()).isCloseTo(Math.log(2), within(1e-12));
        assertThat(j.threshold()).isEqualTo(0.405);
        assertThat(j.recoveryThreshold()).as("0.75 × threshold").isCloseTo(0.30375, within(1e-12));
        assertThat(j.baseline()).as("the baseline p95").isEqualTo(2000);
        assertThat(j.reason())
                .isEqualTo(
                        "p95 4000 against a baseline p95 of 2000 over 60 windows: quantile log-ratio 0.693 is above 0.405");
    }

    @Test
    void p95RatioComparesOnlyTheP95() {
        Condition ratio = ConditionBuilder.type(Condition.SHIFT)
                .statistic(Conditions.P95_RATIO)
                .threshold(1.5)
                .build();

        Judgement doubled = judge.judge(ratio, quantiles(0, 800, 1500, 4000, 3500), steadyLatency());
        Judgement medianDoubled = judge.judge(ratio, quantiles(0, 1600, 1500, 2000, 3500), steadyLatency());

        assertThat(doubled.verdict()).isEqualTo(Verdict.BREACH);
        assertThat(doubled.value()).isEqualTo(2.0);
        assertThat(doubled.reason())
                .isEqualTo("p95 4000 against a baseline p95 of 2000 over 60 windows: ratio 2 is above 1.5");
        assertThat(medianDoubled.verdict()).isEqualTo(Verdict.RECOVERED);
    }

    @Test
    void recoversWhenTheQuantilesAreBackAndHoldsBetween() {
        Judgement same = judge.judge(tailShift, quantiles(0, 800, 1500, 2000, 3500), steadyLatency());
        Judgement partly = judge.judge(tailShift, quantiles(0, 800, 1500, 2800, 3500), steadyLatency());

        assertThat(same.verdict()).isEqualTo(Verdict.RECOVERED);
        assertThat(same.value()).isZero();
        assertThat(partly.verdict())
                .as("ln 1.4 = 0.336, between 0.304 and 0.405")
                .isEqualTo(Verdict.HOLD);
        assertThat(partly.reason())
                .endsWith("quantile log-ratio 0.336 is between the recovery level 0.304 and the trigger 0.405");
    }

    @Test
    void theLogRatioCountsAShrinkingQuantileToo() {
        Judgement j = judge.judge(tailShift, quantiles(0, 400, 1500, 2000, 3500), steadyLatency());

        assertThat(j.verdict()).isEqualTo(Verdict.BREACH);
        assertThat(j.reason()).startsWith("p50 400 against a baseline p50 of 800");
    }

    @Test
    void skipsWindowsWithoutQuantilesAndLearnsFromWindowsWithThem() {
        List<WindowPoint> history = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            history.add(quantiles(-1 - i, 800, 1500, 2000, 3500));
        }
        for (int i = 0; i < 20; i++) {
            history.add(window(-6 - i, 2000));
        }

        assertThat(judge.judge(tailShift, window(0, 4000), steadyLatency()).reason())
                .isEqualTo("the window has no quantiles");
        assertThat(judge.judge(tailShift, quantiles(0, 800, 1500, 4000, 3500), history)
                        .reason())
                .isEqualTo("learning: 5 of 10 baseline windows");
    }

    @Test
    void skipsWhenNoQuantileIsInBothTheWindowAndItsBaseline() {
        Instant start = Series.START;
        WindowPoint onlyP50 = new WindowPoint(start, start.plusSeconds(60), 800, 100, Map.of("p50", 800.0));
        List<WindowPoint> onlyP99 = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            onlyP99.add(new WindowPoint(
                    start.minusSeconds(60L * (i + 1)), start.minusSeconds(60L * i), 3500, 100, Map.of("p99", 3500.0)));
        }

        Judgement j = judge.judge(tailShift, onlyP50, onlyP99);

        assertThat(j.verdict()).isEqualTo(Verdict.SKIP);
        assertThat(j.reason()).isEqualTo("no quantile is in both the window and at least 10 windows of its baseline");
    }

    /**
     * A day of latency windows whose quantiles wobble (log-normal noise, wider in the tail), then at minute 1200
     * the tail doubles while the median stays: quiet before, firing at once after.
     */
    @Test
    void aDayOfNoisyQuantilesStaysQuietUntilTheTailDoubles() {
        Random random = new Random(3);
        List<WindowPoint> day = new ArrayList<>();
        for (int minute = 0; minute < 1440; minute++) {
            double tail = minute < 1200 ? 1 : 2;
            day.add(quantiles(
                    minute,
                    800 * noise(random, 0.05),
                    1500 * noise(random, 0.07) * Math.sqrt(tail),
                    2000 * noise(random, 0.09) * tail,
                    3500 * noise(random, 0.12) * tail));
        }

        List<Judgement> judgements = Series.replay(tailShift, day);

        Map<Verdict, Integer> normal = Series.count(judgements.subList(0, 1200));
        int judged = 1200 - normal.get(Verdict.SKIP);
        double rate = (double) normal.get(Verdict.BREACH) / judged;
        System.out.printf(
                "shift false positives: %d BREACH of %d judged windows before the change (%.2f%%), %s%n",
                normal.get(Verdict.BREACH), judged, 100 * rate, normal);
        assertThat(rate).isLessThan(0.01);
        assertThat(judgements.subList(1200, 1225))
                .as("until the doubled tail is half of the 60-window baseline")
                .allSatisfy(j -> assertThat(j.verdict()).isEqualTo(Verdict.BREACH));
    }

    private static double noise(Random random, double logSigma) {
        return Math.exp(logSigma * random.nextGaussian());
    }
}
