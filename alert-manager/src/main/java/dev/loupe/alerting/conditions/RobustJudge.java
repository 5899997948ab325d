package dev.loupe.alerting.conditions;

import dev.loupe.alerting.rules.Condition;

/**
 * Median ± k·1.4826·MAD of the series' own recent windows ({@code type: robust}): the {@code baseline}
 * rule for heavy-tailed series such as latency, where a few spikes in the baseline would inflate σ and
 * hide the next real jump. 1.4826·MAD equals σ for normal data, so {@code k} reads the same as for
 * {@code baseline}. Every other field, default and verdict is as in {@link BaselineJudge}, with the median
 * in place of the mean (the spread floor defaults to 0.5% of |median|); Judgement.baseline = the median.
 */
public final class RobustJudge extends BandJudge {
    /** Scales the MAD to σ for normally distributed data. */
    static final double MAD_TO_SIGMA = 1.4826;

    public RobustJudge() {
        super(Condition.ROBUST);
    }

    @Override
    double centre(double[] values) {
        return Baselines.medianInPlace(values);
    }

    @Override
    double spread(double[] values, double centre) {
        return MAD_TO_SIGMA * Baselines.mad(values, centre);
    }

    @Override
    String estimate() {
        return " (median and 1.4826 " + Reasons.TIMES + " MAD)";
    }
}
