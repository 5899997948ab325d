package dev.loupe.alerting.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.alerting.rules.Condition;
import dev.loupe.common.http.Problem.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    private static List<String> fields(Condition c) {
        return Conditions.validate(c).stream().map(FieldError::field).toList();
    }

    private static ConditionBuilder baseline() {
        return ConditionBuilder.type(Condition.BASELINE)
                .direction(Condition.BELOW)
                .k(3);
    }

    @Test
    void eachTypeHasItsJudgeAndAnUnknownTypeHasNone() {
        assertThat(Conditions.judge("static")).isInstanceOf(StaticJudge.class);
        assertThat(Conditions.judge("baseline")).isInstanceOf(BaselineJudge.class);
        assertThat(Conditions.judge("robust")).isInstanceOf(RobustJudge.class);
        assertThat(Conditions.judge("shift")).isInstanceOf(ShiftJudge.class);
        assertThatThrownBy(() -> Conditions.judge("ewma"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ewma");
    }

    @Test
    void theDesignExamplesAreValid() {
        assertThat(Conditions.validate(baseline()
                        .baselineWindows(60)
                        .minBaselineWindows(10)
                        .minSampleSize(50)
                        .sigmaFloor(0.01)
                        .build()))
                .isEmpty();
        assertThat(Conditions.validate(ConditionBuilder.type(Condition.STATIC)
                        .direction(Condition.ABOVE)
                        .value(0.05)
                        .recoveryValue(0.03)
                        .build()))
                .isEmpty();
        assertThat(Conditions.validate(ConditionBuilder.type(Condition.ROBUST)
                        .direction(Condition.ABOVE)
                        .k(4)
                        .recoveryK(4)
                        .build()))
                .isEmpty();
        assertThat(Conditions.validate(ConditionBuilder.type(Condition.SHIFT)
                        .statistic("quantile_log_ratio")
                        .threshold(0.405)
                        .build()))
                .isEmpty();
    }

    @Test
    void anUnknownOrMissingTypeIsNamed() {
        List<FieldError> errors =
                Conditions.validate(ConditionBuilder.type("ewma").k(3).build());

        assertThat(errors)
                .containsExactly(new FieldError(
                        "condition.type", "unknown type 'ewma'; one of static, baseline, robust, shift"));
        assertThat(fields(ConditionBuilder.type(null).build())).containsExactly("condition.type");
        assertThat(Conditions.validate(null)).containsExactly(new FieldError("condition", "is required"));
    }

    @Test
    void baselineAndRobustNeedAPositiveK() {
        assertThat(Conditions.validate(ConditionBuilder.type(Condition.BASELINE)
                        .direction(Condition.BELOW)
                        .build()))
                .containsExactly(new FieldError("condition.k", "is required for a baseline condition"));
        assertThat(fields(ConditionBuilder.type(Condition.ROBUST)
                        .direction(Condition.ABOVE)
                        .k(0)
                        .build()))
                .containsExactly("condition.k");
    }

    @Test
    void recoveryKMayNotExceedK() {
        assertThat(Conditions.validate(baseline().recoveryK(3.5).build()))
                .containsExactly(new FieldError("condition.recoveryK", "must be at most k (3), was 3.5"));
        assertThat(fields(baseline().recoveryK(-1).build())).containsExactly("condition.recoveryK");
    }

    @Test
    void minBaselineWindowsMayNotExceedBaselineWindowsGivenOrDefault() {
        assertThat(Conditions.validate(
                        baseline().baselineWindows(20).minBaselineWindows(30).build()))
                .containsExactly(
                        new FieldError("condition.minBaselineWindows", "must be at most baselineWindows (20), was 30"));
        assertThat(Conditions.validate(baseline().minBaselineWindows(61).build()))
                .containsExactly(new FieldError(
                        "condition.minBaselineWindows", "must be at most baselineWindows (60, the default), was 61"));
        assertThat(fields(baseline().baselineWindows(0).build())).containsExactly("condition.baselineWindows");
        assertThat(fields(baseline().baselineWindows(20_000).build())).containsExactly("condition.baselineWindows");
    }

    @Test
    void staticNeedsADirectionAndAValueAndARecoveryValueOnTheRightSide() {
        assertThat(Conditions.validate(ConditionBuilder.type(Condition.STATIC)
                        .direction(Condition.ABOVE)
                        .build()))
                .containsExactly(new FieldError("condition.value", "is required for a static condition"));
        assertThat(Conditions.validate(ConditionBuilder.type(Condition.STATIC)
                        .direction(Condition.ABOVE)
                        .value(0.1)
                        .recoveryValue(0.2)
                        .build()))
                .containsExactly(new FieldError(
                        "condition.recoveryValue", "must be at or below value (0.1) for direction above, was 0.2"));
        assertThat(fields(ConditionBuilder.type(Condition.STATIC)
                        .direction(Condition.BELOW)
                        .value(0.9)
                        .recoveryValue(0.8)
                        .build()))
                .containsExactly("condition.recoveryValue");
    }

    @Test
    void shiftNeedsAThresholdAndAKnownStatistic() {
        assertThat(Conditions.validate(ConditionBuilder.type(Condition.SHIFT).build()))
                .containsExactly(new FieldError("condition.threshold", "is required for a shift condition"));
        assertThat(fields(ConditionBuilder.type(Condition.SHIFT)
                        .statistic("ks")
                        .threshold(0.3)
                        .build()))
                .containsExactly("condition.statistic");
        assertThat(fields(ConditionBuilder.type(Condition.SHIFT)
                        .threshold(0.4)
                        .recoveryThreshold(0.5)
                        .build()))
                .containsExactly("condition.recoveryThreshold");
        assertThat(Conditions.validate(ConditionBuilder.type(Condition.SHIFT)
                        .statistic(Conditions.P95_RATIO)
                        .threshold(0.9)
                        .build()))
                .containsExactly(new FieldError(
                        "condition.threshold", "must be above 1 for p95_ratio (1 means no change), was 0.9"));
        assertThat(fields(ConditionBuilder.type(Condition.SHIFT)
                        .direction(Condition.BELOW)
                        .threshold(0.4)
                        .build()))
                .containsExactly("condition.direction");
    }

    @Test
    void aBadOrMissingDirectionIsNamed() {
        assertThat(Conditions.validate(baseline().direction("sideways").build()))
                .containsExactly(new FieldError("condition.direction", "must be above or below, was 'sideways'"));
        assertThat(Conditions.validate(
                        ConditionBuilder.type(Condition.STATIC).value(1).build()))
                .containsExactly(new FieldError("condition.direction", "is required; above or below"));
    }

    @Test
    void everyProblemIsReportedAtOnceIncludingFieldsTheTypeDoesNotRead() {
        Condition c = ConditionBuilder.type(Condition.BASELINE)
                .k(-1)
                .recoveryK(2)
                .minSampleSize(-5)
                .sigmaFloor(-0.1)
                .value(0.9)
                .threshold(2)
                .build();

        assertThat(fields(c))
                .containsExactly(
                        "condition.minSampleSize",
                        "condition.direction",
                        "condition.k",
                        "condition.sigmaFloor",
                        "condition.value",
                        "condition.threshold");
        assertThat(Conditions.validate(c))
                .contains(new FieldError("condition.value", "does not apply to a baseline condition"));
    }

    @Test
    void withDefaultsFillsTheDocumentedDefaultsAndKeepsWhatIsGiven() {
        Condition b = Conditions.withDefaults(baseline().build());
        assertThat(b)
                .isEqualTo(
                        new Condition("baseline", "below", null, null, 3.0, 2.0, 60, 10, 1L, null, null, null, null));
        assertThat(Conditions.withDefaults(ConditionBuilder.type(Condition.ROBUST)
                        .direction(Condition.ABOVE)
                        .k(0.5)
                        .baselineWindows(5)
                        .minSampleSize(20)
                        .build()))
                .isEqualTo(new Condition("robust", "above", null, null, 0.5, 0.0, 5, 5, 20L, null, null, null, null));
        assertThat(Conditions.withDefaults(ConditionBuilder.type(Condition.STATIC)
                        .direction(Condition.ABOVE)
                        .value(0.1)
                        .build()))
                .isEqualTo(
                        new Condition("static", "above", 0.1, 0.1, null, null, null, null, 1L, null, null, null, null));
        assertThat(Conditions.withDefaults(
                        ConditionBuilder.type(Condition.SHIFT).threshold(0.4).build()))
                .isEqualTo(new Condition(
                        "shift",
                        "above",
                        null,
                        null,
                        null,
                        null,
                        60,
                        10,
                        1L,
                        null,
                        "quantile_log_ratio",
                        0.4,
                        0.75 * 0.4));
        Condition full = baseline()
                .recoveryK(3)
                .baselineWindows(30)
                .minBaselineWindows(30)
                .minSampleSize(50)
                .sigmaFloor(0.01)
                .build();
        assertThat(Conditions.withDefaults(full)).isEqualTo(full);
    }

    @Test
    void aDefaultedConditionIsStillValid() {
        assertThat(Conditions.validate(Conditions.withDefaults(ConditionBuilder.type(Condition.ROBUST)
                        .direction(Condition.ABOVE)
                        .k(0.5)
                        .baselineWindows(5)
                        .build())))
                .isEmpty();
        assertThat(Conditions.validate(Conditions.withDefaults(
                        ConditionBuilder.type(Condition.SHIFT).threshold(0.4).build())))
                .isEmpty();
    }
}
