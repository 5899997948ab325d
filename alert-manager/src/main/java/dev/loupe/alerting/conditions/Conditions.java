package dev.loupe.alerting.conditions;

import dev.loupe.alerting.rules.Condition;
import dev.loupe.common.http.Problem;
import java.util.List;

/** Placeholder until the condition judges land (replaced by the conditions branch). */
public final class Conditions {
    private Conditions() {
    }

    public static ConditionJudge judge(String type) {
        throw new UnsupportedOperationException(type);
    }

    public static List<Problem.FieldError> validate(Condition condition) {
        return List.of();
    }

    public static Condition withDefaults(Condition condition) {
        return condition;
    }
}
