package dev.loupe.alerting.conditions;

/**
 * A condition's verdict on one window. {@code BREACH}: beyond the trigger level; {@code RECOVERED}: back
 * inside the recovery level; {@code HOLD}: between the two (hysteresis: the alert keeps its state);
 * {@code SKIP}: not judged (too few samples or baseline windows), which changes nothing either.
 * {@code threshold} is the trigger level the value was held against, {@code baseline} the centre of the
 * band (mean or median; null for static rules), for notifications and backtests.
 */
public record Judgement(
        Verdict verdict, double value, Double threshold, Double recoveryThreshold, Double baseline, String reason) {
    public enum Verdict {
        BREACH,
        RECOVERED,
        HOLD,
        SKIP
    }

    public static Judgement skip(double value, String reason) {
        return new Judgement(Verdict.SKIP, value, null, null, null, reason);
    }
}
