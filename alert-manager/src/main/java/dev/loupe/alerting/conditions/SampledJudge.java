package dev.loupe.alerting.conditions;

import dev.loupe.alerting.rules.Condition;
import java.util.List;
import java.util.Objects;

/**
 * What every condition type shares: the documented defaults are applied and a window with fewer than
 * {@code minSampleSize} samples is skipped before the type's own judgement, so no type can forget either.
 * Judges expect a condition that {@link Conditions#validate} accepts; they are stateless and thread-safe.
 */
abstract class SampledJudge implements ConditionJudge {
    private final String type;

    SampledJudge(String type) {
        this.type = type;
    }

    @Override
    public final Judgement judge(Condition condition, WindowPoint current, List<WindowPoint> history) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(history, "history");
        if (!type.equals(condition.type())) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + " judges " + type + " conditions, not " + condition.type());
        }
        Condition c = Conditions.withDefaults(condition);
        if (current.sampleSize() < c.minSampleSize()) {
            return Judgement.skip(
                    current.value(),
                    (current.sampleSize() == 1 ? "1 sample" : current.sampleSize() + " samples")
                            + " in the window, fewer than the " + c.minSampleSize() + " required");
        }
        return judgeSampled(c, current, history);
    }

    /** Judges a window that has enough samples; {@code c} has its defaults filled in. */
    abstract Judgement judgeSampled(Condition c, WindowPoint current, List<WindowPoint> history);

    static Judgement notANumber(double value) {
        return Judgement.skip(value, "the window's value is not a finite number");
    }
}
