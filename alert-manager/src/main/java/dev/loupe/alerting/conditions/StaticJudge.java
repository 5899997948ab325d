package dev.loupe.alerting.conditions;

import static dev.loupe.alerting.conditions.Reasons.num;

import dev.loupe.alerting.conditions.Judgement.Verdict;
import dev.loupe.alerting.rules.Condition;
import java.util.List;

/**
 * A fixed level ({@code type: static}). {@code direction} above: BREACH when the window's value is
 * greater than {@code value}, RECOVERED when it is at or below {@code recoveryValue} (default
 * {@code value}, which must not be above it), HOLD in between; below mirrors it (BREACH under
 * {@code value}, RECOVERED at or above a {@code recoveryValue} that is not below it). History is not
 * read. Judgement: threshold = {@code value}, recoveryThreshold = {@code recoveryValue}, baseline null.
 */
public final class StaticJudge extends SampledJudge {
    public StaticJudge() {
        super(Condition.STATIC);
    }

    @Override
    Judgement judgeSampled(Condition c, WindowPoint current, List<WindowPoint> history) {
        double v = current.value();
        if (!Double.isFinite(v)) {
            return notANumber(v);
        }
        double trigger = c.value();
        double recovery = c.recoveryValue();
        boolean above = Condition.ABOVE.equals(c.direction());
        Verdict verdict;
        String reason;
        if (above ? v > trigger : v < trigger) {
            verdict = Verdict.BREACH;
            reason = num(v) + " is " + c.direction() + " " + num(trigger);
        } else if (above ? v <= recovery : v >= recovery) {
            verdict = Verdict.RECOVERED;
            reason = num(v) + " is at or " + (above ? "below " : "above ")
                    + (recovery == trigger ? num(trigger) : "the recovery level " + num(recovery));
        } else {
            verdict = Verdict.HOLD;
            reason = num(v) + " is between the recovery level " + num(recovery) + " and the trigger " + num(trigger);
        }
        return new Judgement(verdict, v, trigger, recovery, null, reason);
    }
}
