package dev.loupe.simulator;

import java.util.SplittableRandom;

/** The random draws the simulated product is made of: counts per slice and latencies. */
final class Draws {
    /** Above this mean the product of uniforms underflows long before it would stop: use the normal shape. */
    private static final double EXACT_POISSON_LIMIT = 30;

    private Draws() {}

    /** Log-normal milliseconds around {@code median}. */
    static long latency(SplittableRandom r, double median, double sigma) {
        return Math.max(1, Math.round(median * Math.exp(sigma * gaussian(r))));
    }

    /**
     * A Poisson count of the given mean: exact (Knuth) for the demo's small means, so its traffic stays what it
     * was; a normal approximation with the same mean and variance for the soak's scaled ones (about 1,400 turns
     * per slice at 2,000 spans/s), where {@code exp(-mean)} is zero as a double.
     */
    static int poisson(SplittableRandom r, double mean) {
        if (mean >= EXACT_POISSON_LIMIT) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(r)));
        }
        double limit = Math.exp(-mean);
        double product = r.nextDouble();
        int n = 0;
        while (product > limit) {
            product *= r.nextDouble();
            n++;
        }
        return n;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
