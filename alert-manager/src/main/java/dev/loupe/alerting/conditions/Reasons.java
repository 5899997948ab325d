package dev.loupe.alerting.conditions;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Number formatting for judgement reasons, which people read in notifications. */
final class Reasons {
    static final String MINUS = "\u2212";
    static final String TIMES = "\u00d7";

    private Reasons() {}

    /**
     * Three significant digits, but never fewer than the integer digits ({@code 0.0202}, {@code 0.885},
     * {@code 1235}), without trailing zeros: enough to compare a value with its threshold at a glance.
     */
    static String num(double x) {
        if (!Double.isFinite(x)) {
            return String.valueOf(x);
        }
        if (x == 0) {
            return "0";
        }
        BigDecimal exact = new BigDecimal(x);
        int integerDigits = exact.precision() - exact.scale();
        MathContext context = new MathContext(Math.max(3, integerDigits), RoundingMode.HALF_UP);
        return exact.round(context).stripTrailingZeros().toPlainString();
    }

    static String windows(int n) {
        return n == 1 ? "1 window" : n + " windows";
    }

    static Judgement learning(double value, int have, int need) {
        return Judgement.skip(value, "learning: " + have + " of " + need + " baseline windows");
    }
}
