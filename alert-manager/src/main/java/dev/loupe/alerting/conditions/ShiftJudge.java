package dev.loupe.alerting.conditions;

import static dev.loupe.alerting.conditions.Reasons.num;

import dev.loupe.alerting.conditions.Judgement.Verdict;
import dev.loupe.alerting.rules.Condition;
import java.util.List;
import java.util.Map;

/**
 * A change in the shape of a distribution ({@code type: shift}), read from the windows' {@code quantiles}
 * (p50, p90, p95, p99): it catches a tail that grows while the mean or median hardly moves. For each of those
 * keys present (and positive) in the window and in at least {@code minBaselineWindows} baseline windows,
 * base_q is the median of that quantile over the baseline, the {@code baselineWindows} (default 60) most
 * recent history windows with quantiles and at least {@code minSampleSize} samples. {@code statistic}
 * {@code quantile_log_ratio} (default) is the largest |ln(cur_q / base_q)| over the keys, symmetric in
 * growth and shrinkage (0.405 ≈ a 1.5× change, 0.693 = 2×); {@code p95_ratio} is cur_p95 / base_p95. BREACH
 * when the statistic is above {@code threshold}, RECOVERED at or below {@code recoveryThreshold} (default
 * 0.75 × threshold), HOLD between; {@code direction} is above or unset. A window without quantiles, or
 * without a key the baseline also has, is SKIP. Judgement: value = the statistic, baseline = base p95 or null.
 */
public final class ShiftJudge extends SampledJudge {
    static final List<String> QUANTILES = List.of("p50", "p90", "p95", "p99");
    private static final String P95 = "p95";

    public ShiftJudge() {
        super(Condition.SHIFT);
    }

    @Override
    Judgement judgeSampled(Condition c, WindowPoint current, List<WindowPoint> history) {
        if (!Baselines.hasQuantiles(current)) {
            return Judgement.skip(current.value(), "the window has no quantiles");
        }
        WindowPoint[] base = Baselines.recentWithQuantiles(history, c.minSampleSize(), c.baselineWindows());
        if (base.length < c.minBaselineWindows()) {
            return Reasons.learning(current.value(), base.length, c.minBaselineWindows());
        }
        boolean ratio = Conditions.P95_RATIO.equals(c.statistic());
        double[] scratch = new double[base.length];
        Double baseP95 = null;
        String worst = null;
        double statistic = 0;
        double worstCurrent = 0;
        double worstBase = 0;
        int worstWindows = 0;
        for (String key : QUANTILES) {
            if (ratio && !P95.equals(key)) {
                continue;
            }
            double cur = positive(current.quantiles(), key);
            int n = 0;
            for (WindowPoint w : base) {
                double q = positive(w.quantiles(), key);
                if (!Double.isNaN(q)) {
                    scratch[n++] = q;
                }
            }
            if (n < c.minBaselineWindows()) {
                continue;
            }
            double b = Baselines.medianInPlace(scratch, n);
            if (P95.equals(key)) {
                baseP95 = b;
            }
            if (Double.isNaN(cur)) {
                continue;
            }
            double s = ratio ? cur / b : Math.abs(Math.log(cur / b));
            if (worst == null || s > statistic) {
                worst = key;
                statistic = s;
                worstCurrent = cur;
                worstBase = b;
                worstWindows = n;
            }
        }
        if (worst == null) {
            return Judgement.skip(
                    current.value(),
                    (ratio ? "p95 is not" : "no quantile is") + " in both the window and at least "
                            + Reasons.windows(c.minBaselineWindows()) + " of its baseline");
        }

        double trigger = c.threshold();
        double recovery = c.recoveryThreshold();
        String reason = worst + " " + num(worstCurrent) + " against a baseline " + worst + " of " + num(worstBase)
                + " over " + Reasons.windows(worstWindows) + ": " + (ratio ? "ratio " : "quantile log-ratio ")
                + num(statistic);
        Verdict verdict;
        if (statistic > trigger) {
            verdict = Verdict.BREACH;
            reason += " is above " + num(trigger);
        } else if (statistic <= recovery) {
            verdict = Verdict.RECOVERED;
            reason += " is back at or below " + num(recovery);
        } else {
            verdict = Verdict.HOLD;
            reason += " is between the recovery level " + num(recovery) + " and the trigger " + num(trigger);
        }
        return new Judgement(verdict, statistic, trigger, recovery, baseP95, reason);
    }

    /** The quantile when present, finite and positive (a log-ratio needs both sides above zero), else NaN. */
    private static double positive(Map<String, Double> quantiles, String key) {
        Double q = quantiles.get(key);
        return q != null && q > 0 && !q.isInfinite() ? q : Double.NaN;
    }
}
