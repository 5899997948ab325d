package dev.loupe.alerting.conditions;

import static dev.loupe.alerting.conditions.Reasons.num;
import static dev.loupe.alerting.rules.Condition.ABOVE;
import static dev.loupe.alerting.rules.Condition.BASELINE;
import static dev.loupe.alerting.rules.Condition.BELOW;
import static dev.loupe.alerting.rules.Condition.ROBUST;
import static dev.loupe.alerting.rules.Condition.SHIFT;
import static dev.loupe.alerting.rules.Condition.STATIC;

import dev.loupe.alerting.rules.Condition;
import dev.loupe.common.http.Problem.FieldError;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a condition field by field and reports every problem at once, so a rule author fixes them in one
 * round. A field the type does not read is an error too: a {@code k} on a static rule is a misunderstanding
 * that would otherwise be stored silently.
 */
final class ConditionValidator {
    private final Condition c;
    private final List<FieldError> errors = new ArrayList<>();

    private ConditionValidator(Condition c) {
        this.c = c;
    }

    static List<FieldError> validate(Condition c) {
        if (c == null) {
            return List.of(new FieldError("condition", "is required"));
        }
        ConditionValidator v = new ConditionValidator(c);
        v.check();
        return List.copyOf(v.errors);
    }

    private void check() {
        String type = c.type();
        if (type == null || type.isBlank()) {
            error("type", "is required; one of " + String.join(", ", Conditions.TYPES));
        } else if (!Conditions.TYPES.contains(type)) {
            error("type", "unknown type '" + type + "'; one of " + String.join(", ", Conditions.TYPES));
        }
        if (c.minSampleSize() != null && c.minSampleSize() < 0) {
            error("minSampleSize", "must be 0 or more, was " + c.minSampleSize());
        }
        switch (type == null ? "" : type) {
            case STATIC -> checkStatic();
            case BASELINE, ROBUST -> checkBand();
            case SHIFT -> checkShift();
            default -> {}
        }
    }

    private void checkStatic() {
        boolean direction = direction(true);
        boolean value = finite("value", c.value(), true);
        if (finite("recoveryValue", c.recoveryValue(), false) && direction && value) {
            boolean above = ABOVE.equals(c.direction());
            if (above ? c.recoveryValue() > c.value() : c.recoveryValue() < c.value()) {
                error(
                        "recoveryValue",
                        "must be at or " + (above ? "below" : "above") + " value (" + num(c.value())
                                + ") for direction " + c.direction() + ", was " + num(c.recoveryValue()));
            }
        }
        unused(STATIC, "k", c.k());
        unused(STATIC, "recoveryK", c.recoveryK());
        unused(STATIC, "baselineWindows", c.baselineWindows());
        unused(STATIC, "minBaselineWindows", c.minBaselineWindows());
        unused(STATIC, "sigmaFloor", c.sigmaFloor());
        unused(STATIC, "statistic", c.statistic());
        unused(STATIC, "threshold", c.threshold());
        unused(STATIC, "recoveryThreshold", c.recoveryThreshold());
    }

    private void checkBand() {
        direction(true);
        boolean k = finite("k", c.k(), true);
        if (k && c.k() <= 0) {
            error("k", "must be above 0, was " + num(c.k()));
            k = false;
        }
        if (finite("recoveryK", c.recoveryK(), false)) {
            if (c.recoveryK() < 0) {
                error("recoveryK", "must be 0 or more, was " + num(c.recoveryK()));
            } else if (k && c.recoveryK() > c.k()) {
                error("recoveryK", "must be at most k (" + num(c.k()) + "), was " + num(c.recoveryK()));
            }
        }
        if (finite("sigmaFloor", c.sigmaFloor(), false) && c.sigmaFloor() < 0) {
            error("sigmaFloor", "must be 0 or more, was " + num(c.sigmaFloor()));
        }
        baselineWindows();
        unused(c.type(), "value", c.value());
        unused(c.type(), "recoveryValue", c.recoveryValue());
        unused(c.type(), "statistic", c.statistic());
        unused(c.type(), "threshold", c.threshold());
        unused(c.type(), "recoveryThreshold", c.recoveryThreshold());
    }

    private void checkShift() {
        if (c.direction() != null && !ABOVE.equals(c.direction())) {
            error(
                    "direction",
                    "must be above or unset for a shift condition (its statistic grows with any shift), was '"
                            + c.direction() + "'");
        }
        boolean ratio = Conditions.P95_RATIO.equals(c.statistic());
        if (c.statistic() != null && !Conditions.STATISTICS.contains(c.statistic())) {
            error(
                    "statistic",
                    "unknown statistic '" + c.statistic() + "'; one of " + String.join(", ", Conditions.STATISTICS));
        }
        boolean threshold = finite("threshold", c.threshold(), true);
        if (threshold && c.threshold() <= (ratio ? 1 : 0)) {
            error(
                    "threshold",
                    "must be above " + (ratio ? "1 for p95_ratio (1 means no change)" : "0") + ", was "
                            + num(c.threshold()));
        }
        if (finite("recoveryThreshold", c.recoveryThreshold(), false)) {
            if (c.recoveryThreshold() < 0) {
                error("recoveryThreshold", "must be 0 or more, was " + num(c.recoveryThreshold()));
            } else if (threshold && c.recoveryThreshold() > c.threshold()) {
                error(
                        "recoveryThreshold",
                        "must be at most threshold (" + num(c.threshold()) + "), was " + num(c.recoveryThreshold()));
            }
        }
        baselineWindows();
        unused(SHIFT, "value", c.value());
        unused(SHIFT, "recoveryValue", c.recoveryValue());
        unused(SHIFT, "k", c.k());
        unused(SHIFT, "recoveryK", c.recoveryK());
        unused(SHIFT, "sigmaFloor", c.sigmaFloor());
    }

    private boolean direction(boolean required) {
        String d = c.direction();
        if (d == null) {
            if (required) {
                error("direction", "is required; above or below");
            }
            return false;
        }
        if (!ABOVE.equals(d) && !BELOW.equals(d)) {
            error("direction", "must be above or below, was '" + d + "'");
            return false;
        }
        return true;
    }

    private void baselineWindows() {
        Integer windows = c.baselineWindows();
        if (windows != null && (windows < 1 || windows > Conditions.MAX_BASELINE_WINDOWS)) {
            error("baselineWindows", "must be within 1.." + Conditions.MAX_BASELINE_WINDOWS + ", was " + windows);
            windows = null;
        }
        Integer min = c.minBaselineWindows();
        if (min == null) {
            return;
        }
        int max = windows != null ? windows : Conditions.DEFAULT_BASELINE_WINDOWS;
        if (min < 1) {
            error("minBaselineWindows", "must be 1 or more, was " + min);
        } else if (min > max && (windows != null || c.baselineWindows() == null)) {
            error(
                    "minBaselineWindows",
                    "must be at most baselineWindows (" + max + (windows == null ? ", the default" : "") + "), was "
                            + min);
        }
    }

    /** Checks that a present number is finite; reports a missing one when required. True when present and finite. */
    private boolean finite(String field, Double value, boolean required) {
        if (value == null) {
            if (required) {
                error(field, "is required for a " + c.type() + " condition");
            }
            return false;
        }
        if (!Double.isFinite(value)) {
            error(field, "must be a finite number, was " + value);
            return false;
        }
        return true;
    }

    private void unused(String type, String field, Object value) {
        if (value != null) {
            error(field, "does not apply to a " + type + " condition");
        }
    }

    private void error(String field, String reason) {
        errors.add(new FieldError("condition." + field, reason));
    }
}
