package dev.loupe.alerting.conditions;

import static dev.loupe.alerting.conditions.Reasons.MINUS;
import static dev.loupe.alerting.conditions.Reasons.TIMES;
import static dev.loupe.alerting.conditions.Reasons.num;

import dev.loupe.alerting.conditions.Judgement.Verdict;
import dev.loupe.alerting.rules.Condition;
import java.util.List;

/**
 * A band learned from the series' own variance: centre ± k·spread over the baseline windows, with the
 * recovery level at centre ± recoveryK·spread. {@link BaselineJudge} and {@link RobustJudge} differ only in
 * how they measure centre and spread, so the skipping, flooring and hysteresis live here once.
 */
abstract class BandJudge extends SampledJudge {
    BandJudge(String type) {
        super(type);
    }

    /** The centre of the baseline; may reorder {@code values}. */
    abstract double centre(double[] values);

    /** The spread around {@code centre} (σ-like, so k means the same for both types). */
    abstract double spread(double[] values, double centre);

    /** How the reason names the estimate, e.g. " (median and 1.4826 × MAD)"; empty for the plain mean and σ. */
    abstract String estimate();

    @Override
    final Judgement judgeSampled(Condition c, WindowPoint current, List<WindowPoint> history) {
        double v = current.value();
        if (!Double.isFinite(v)) {
            return notANumber(v);
        }
        double[] values = Baselines.recentValues(history, c.minSampleSize(), c.baselineWindows());
        if (values.length < c.minBaselineWindows()) {
            return Reasons.learning(v, values.length, c.minBaselineWindows());
        }
        double centre = centre(values);
        double rawSpread = spread(values, centre);
        double floor = Conditions.sigmaFloor(c, centre);
        double spread = Math.max(rawSpread, floor);
        boolean above = Condition.ABOVE.equals(c.direction());
        double sign = above ? 1 : -1;
        double trigger = centre + sign * c.k() * spread;
        double recovery = centre + sign * c.recoveryK() * spread;

        String over = " over " + Reasons.windows(values.length) + estimate()
                + (rawSpread < floor ? ", spread " + num(rawSpread) + " raised to the floor" : "");
        Verdict verdict;
        String reason;
        if (above ? v > trigger : v < trigger) {
            verdict = Verdict.BREACH;
            reason = num(v) + " is " + c.direction() + " " + level(trigger, centre, above, c.k(), spread) + over;
        } else if (above ? v <= recovery : v >= recovery) {
            verdict = Verdict.RECOVERED;
            reason = num(v) + " is back at or " + (above ? "below " : "above ")
                    + level(recovery, centre, above, c.recoveryK(), spread) + over;
        } else {
            verdict = Verdict.HOLD;
            reason = num(v) + " is between the trigger " + num(trigger) + " and the recovery level "
                    + level(recovery, centre, above, c.recoveryK(), spread) + over;
        }
        return new Judgement(verdict, v, trigger, recovery, centre, reason);
    }

    /** "0.824 = 0.885 − 3 × 0.0202". */
    private static String level(double level, double centre, boolean above, double k, double spread) {
        return num(level) + " = " + num(centre) + (above ? " + " : " " + MINUS + " ") + num(k) + " " + TIMES + " "
                + num(spread);
    }
}
