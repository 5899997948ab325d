package dev.loupe.alerting.conditions;

import dev.loupe.alerting.rules.Condition;

/** Builds conditions field by field, since the record has thirteen components and most are empty. */
final class ConditionBuilder {
    private final String type;
    private String direction;
    private Double value;
    private Double recoveryValue;
    private Double k;
    private Double recoveryK;
    private Integer baselineWindows;
    private Integer minBaselineWindows;
    private Long minSampleSize;
    private Double sigmaFloor;
    private String statistic;
    private Double threshold;
    private Double recoveryThreshold;

    private ConditionBuilder(String type) {
        this.type = type;
    }

    static ConditionBuilder type(String type) {
        return new ConditionBuilder(type);
    }

    ConditionBuilder direction(String d) {
        direction = d;
        return this;
    }

    ConditionBuilder value(double v) {
        value = v;
        return this;
    }

    ConditionBuilder recoveryValue(double v) {
        recoveryValue = v;
        return this;
    }

    ConditionBuilder k(double v) {
        k = v;
        return this;
    }

    ConditionBuilder recoveryK(double v) {
        recoveryK = v;
        return this;
    }

    ConditionBuilder baselineWindows(int n) {
        baselineWindows = n;
        return this;
    }

    ConditionBuilder minBaselineWindows(int n) {
        minBaselineWindows = n;
        return this;
    }

    ConditionBuilder minSampleSize(long n) {
        minSampleSize = n;
        return this;
    }

    ConditionBuilder sigmaFloor(double v) {
        sigmaFloor = v;
        return this;
    }

    ConditionBuilder statistic(String s) {
        statistic = s;
        return this;
    }

    ConditionBuilder threshold(double v) {
        threshold = v;
        return this;
    }

    ConditionBuilder recoveryThreshold(double v) {
        recoveryThreshold = v;
        return this;
    }

    Condition build() {
        return new Condition(
                type,
                direction,
                value,
                recoveryValue,
                k,
                recoveryK,
                baselineWindows,
                minBaselineWindows,
                minSampleSize,
                sigmaFloor,
                statistic,
                threshold,
                recoveryThreshold);
    }
}
