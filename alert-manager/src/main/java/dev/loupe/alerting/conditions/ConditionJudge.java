package dev.loupe.alerting.conditions;

import dev.loupe.alerting.rules.Condition;
import java.util.List;

/** Judges one window of a series against a condition, given the series' earlier windows. */
public interface ConditionJudge {
    /**
     * @param history the series' closed windows before {@code current}, newest first (never including it);
     *                the judge takes what it needs ({@code baselineWindows}) from the front
     */
    Judgement judge(Condition condition, WindowPoint current, List<WindowPoint> history);
}
