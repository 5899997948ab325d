package dev.loupe.alerting.conditions;

import dev.loupe.alerting.rules.Condition;

/**
 * Mean ± k·σ of the series' own recent windows ({@code type: baseline}), so a steady series alerts on a
 * small move and a noisy one does not alert on its usual noise. The baseline is the {@code baselineWindows}
 * (default 60) most recent history windows with at least {@code minSampleSize} (default 1) samples, never
 * the window being judged; with fewer than {@code minBaselineWindows} (default 10 or baselineWindows if
 * smaller) the verdict is SKIP ("learning: 4 of 10 baseline windows"). σ is the population standard
 * deviation, raised to {@code sigmaFloor} (default 0.5% of |mean|, never below 1e-9) so a flat baseline cannot
 * give a zero-width band. {@code direction} below: BREACH under mean − k·σ, RECOVERED at or above
 * mean − recoveryK·σ (default recoveryK = max(0, k − 1)), HOLD between; above mirrors it. Judgement:
 * threshold = trigger level, recoveryThreshold = recovery level, baseline = mean.
 */
public final class BaselineJudge extends BandJudge {
    public BaselineJudge() {
        super(Condition.BASELINE);
    }

    @Override
    double centre(double[] values) {
        return Baselines.mean(values);
    }

    @Override
    double spread(double[] values, double centre) {
        return Baselines.populationSigma(values, centre);
    }

    @Override
    String estimate() {
        return "";
    }
}
