package dev.loupe.alerting.rules;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * When a rule's series is in breach (docs/architecture.md#alert-rules). {@code type}: {@code static} ({@code direction},
 * {@code value}, optional {@code recoveryValue}), {@code baseline} (mean ± k·σ of the previous
 * {@code baselineWindows} windows, at least {@code minBaselineWindows}, σ at least {@code sigmaFloor};
 * optional {@code recoveryK} &lt; k), {@code robust} (the same fields, median ± k·1.4826·MAD), {@code shift}
 * ({@code statistic}, {@code threshold}, optional {@code recoveryThreshold}, comparing window quantiles).
 * {@code minSampleSize} applies to every type: a window with fewer samples is never judged.
 */
@RegisterForReflection
public record Condition(
        String type,
        String direction,
        Double value,
        Double recoveryValue,
        Double k,
        Double recoveryK,
        Integer baselineWindows,
        Integer minBaselineWindows,
        Long minSampleSize,
        Double sigmaFloor,
        String statistic,
        Double threshold,
        Double recoveryThreshold) {

    public static final String STATIC = "static";
    public static final String BASELINE = "baseline";
    public static final String ROBUST = "robust";
    public static final String SHIFT = "shift";
    public static final String ABOVE = "above";
    public static final String BELOW = "below";
}
