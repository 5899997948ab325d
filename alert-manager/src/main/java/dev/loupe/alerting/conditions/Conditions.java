package dev.loupe.alerting.conditions;

import static dev.loupe.alerting.rules.Condition.BASELINE;
import static dev.loupe.alerting.rules.Condition.ROBUST;
import static dev.loupe.alerting.rules.Condition.SHIFT;
import static dev.loupe.alerting.rules.Condition.STATIC;

import dev.loupe.alerting.rules.Condition;
import dev.loupe.common.http.Problem.FieldError;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The condition types of docs/architecture.md#alert-rules: a judge per type, the documented defaults, and the validation a rule's
 * condition must pass before it is stored (alert-manager/README.md, "Conditions", lists both).
 */
public final class Conditions {
    public static final List<String> TYPES = List.of(STATIC, BASELINE, ROBUST, SHIFT);
    public static final String QUANTILE_LOG_RATIO = "quantile_log_ratio";
    public static final String P95_RATIO = "p95_ratio";
    public static final List<String> STATISTICS = List.of(QUANTILE_LOG_RATIO, P95_RATIO);

    public static final long DEFAULT_MIN_SAMPLE_SIZE = 1;
    public static final int DEFAULT_BASELINE_WINDOWS = 60;
    public static final int DEFAULT_MIN_BASELINE_WINDOWS = 10;
    /** One week of one-minute windows: bounds the work of one judgement. */
    public static final int MAX_BASELINE_WINDOWS = 10_080;
    /** Without a {@code sigmaFloor} the spread is at least this fraction of |centre|. */
    public static final double DEFAULT_SIGMA_FLOOR_FRACTION = 0.005;
    /** No floor, given or default, is below this, so a band never has zero width. */
    public static final double MIN_SIGMA_FLOOR = 1e-9;

    public static final double DEFAULT_RECOVERY_THRESHOLD_FRACTION = 0.75;

    private static final Map<String, ConditionJudge> JUDGES = Map.of(
            STATIC,
            new StaticJudge(),
            BASELINE,
            new BaselineJudge(),
            ROBUST,
            new RobustJudge(),
            SHIFT,
            new ShiftJudge());

    private Conditions() {}

    /** The (stateless, shared) judge of a type; unknown types are rejected, as {@link #validate} would. */
    public static ConditionJudge judge(String type) {
        ConditionJudge judge = type == null ? null : JUDGES.get(type);
        if (judge == null) {
            throw new IllegalArgumentException("unknown condition type '" + type + "'; one of " + TYPES);
        }
        return judge;
    }

    /** Every problem with {@code c}, each naming its field ({@code condition.k}); empty when it is valid. */
    public static List<FieldError> validate(Condition c) {
        return ConditionValidator.validate(c);
    }

    /**
     * {@code c} with the documented defaults in its empty fields: minSampleSize 1; for static, recoveryValue =
     * value; for baseline and robust, recoveryK = max(0, k − 1); for baseline, robust and shift, baselineWindows
     * 60 and minBaselineWindows 10 (or baselineWindows if smaller); for shift, direction above, statistic
     * quantile_log_ratio and recoveryThreshold = 0.75 × threshold. sigmaFloor stays empty: its default depends
     * on each baseline's centre ({@link #sigmaFloor}). Fields a type does not read are left as they are.
     */
    public static Condition withDefaults(Condition c) {
        Objects.requireNonNull(c, "condition");
        String type = c.type();
        boolean band = BASELINE.equals(type) || ROBUST.equals(type);
        boolean learns = band || SHIFT.equals(type);
        Integer baselineWindows = learns ? or(c.baselineWindows(), DEFAULT_BASELINE_WINDOWS) : c.baselineWindows();
        Integer minBaselineWindows = learns && c.minBaselineWindows() == null && baselineWindows != null
                ? Integer.valueOf(Math.min(DEFAULT_MIN_BASELINE_WINDOWS, baselineWindows))
                : c.minBaselineWindows();
        Double recoveryValue = STATIC.equals(type) ? or(c.recoveryValue(), c.value()) : c.recoveryValue();
        Double recoveryK =
                band && c.recoveryK() == null && c.k() != null ? Double.valueOf(Math.max(0, c.k() - 1)) : c.recoveryK();
        boolean shift = SHIFT.equals(type);
        String direction = shift ? or(c.direction(), Condition.ABOVE) : c.direction();
        String statistic = shift ? or(c.statistic(), QUANTILE_LOG_RATIO) : c.statistic();
        Double recoveryThreshold = shift && c.recoveryThreshold() == null && c.threshold() != null
                ? Double.valueOf(DEFAULT_RECOVERY_THRESHOLD_FRACTION * c.threshold())
                : c.recoveryThreshold();
        return new Condition(
                type,
                direction,
                c.value(),
                recoveryValue,
                c.k(),
                recoveryK,
                baselineWindows,
                minBaselineWindows,
                or(c.minSampleSize(), DEFAULT_MIN_SAMPLE_SIZE),
                c.sigmaFloor(),
                statistic,
                c.threshold(),
                recoveryThreshold);
    }

    /** The least spread a band may have around {@code centre}: sigmaFloor, else 0.5% of |centre|; never below 1e-9. */
    static double sigmaFloor(Condition c, double centre) {
        double floor = c.sigmaFloor() != null ? c.sigmaFloor() : DEFAULT_SIGMA_FLOOR_FRACTION * Math.abs(centre);
        return Math.max(floor, MIN_SIGMA_FLOOR);
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }
}
