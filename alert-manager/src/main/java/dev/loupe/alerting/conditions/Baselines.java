package dev.loupe.alerting.conditions;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Picks a baseline out of a series' history and summarises it. Eligible windows have at least
 * {@code minSampleSize} samples (and, where asked, quantiles); the rest are skipped, not counted, so a
 * quiet night does not shrink the baseline with windows that say little.
 */
final class Baselines {
    private Baselines() {}

    /** The values of at most {@code limit} most recent eligible windows with a finite value, newest first. */
    static double[] recentValues(List<WindowPoint> history, long minSampleSize, int limit) {
        double[] values = new double[Math.min(limit, history.size())];
        int n = 0;
        for (WindowPoint w : history) {
            if (n == values.length) {
                break;
            }
            if (w.sampleSize() >= minSampleSize && Double.isFinite(w.value())) {
                values[n++] = w.value();
            }
        }
        return n == values.length ? values : Arrays.copyOf(values, n);
    }

    /** At most {@code limit} most recent eligible windows that carry quantiles, newest first. */
    static WindowPoint[] recentWithQuantiles(List<WindowPoint> history, long minSampleSize, int limit) {
        WindowPoint[] windows = new WindowPoint[Math.min(limit, history.size())];
        int n = 0;
        for (WindowPoint w : history) {
            if (n == windows.length) {
                break;
            }
            if (w.sampleSize() >= minSampleSize && hasQuantiles(w)) {
                windows[n++] = w;
            }
        }
        return n == windows.length ? windows : Arrays.copyOf(windows, n);
    }

    static boolean hasQuantiles(WindowPoint w) {
        Map<String, Double> q = w.quantiles();
        return q != null && !q.isEmpty();
    }

    /**
     * The mean, summed as offsets from the first value so that a flat baseline has exactly its value as the
     * mean (and σ exactly 0) instead of a rounding residue.
     */
    static double mean(double[] values) {
        double shift = values[0];
        double sum = 0;
        for (double v : values) {
            sum += v - shift;
        }
        return shift + sum / values.length;
    }

    /** Population standard deviation: the baseline is the whole population the window is compared with. */
    static double populationSigma(double[] values, double mean) {
        double shift = values[0];
        double offset = mean - shift;
        double squares = 0;
        for (double v : values) {
            double d = (v - shift) - offset;
            squares += d * d;
        }
        return Math.sqrt(squares / values.length);
    }

    /** The median; sorts {@code values} in place. */
    static double medianInPlace(double[] values) {
        return medianInPlace(values, values.length);
    }

    /** The median of the first {@code n} values; sorts them in place. */
    static double medianInPlace(double[] values, int n) {
        Arrays.sort(values, 0, n);
        int mid = n / 2;
        return n % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /** Median absolute deviation from {@code median}; leaves {@code values} untouched. */
    static double mad(double[] values, double median) {
        double[] deviations = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            deviations[i] = Math.abs(values[i] - median);
        }
        return medianInPlace(deviations);
    }
}
