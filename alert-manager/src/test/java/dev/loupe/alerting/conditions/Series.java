package dev.loupe.alerting.conditions;

import dev.loupe.alerting.conditions.Judgement.Verdict;
import dev.loupe.alerting.rules.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/** One-minute windows for judge tests, and a replay that judges a series in order like the live consumer. */
final class Series {
    static final Instant START = Instant.parse("2026-11-27T00:00:00Z");
    static final long SAMPLES = 100;

    private Series() {}

    static WindowPoint window(int minute, double value) {
        return window(minute, value, SAMPLES);
    }

    static WindowPoint window(int minute, double value, long sampleSize) {
        Instant start = START.plus(Duration.ofMinutes(minute));
        return new WindowPoint(start, start.plus(Duration.ofMinutes(1)), value, sampleSize, Map.of());
    }

    static WindowPoint quantiles(int minute, double p50, double p90, double p95, double p99) {
        Instant start = START.plus(Duration.ofMinutes(minute));
        return new WindowPoint(
                start,
                start.plus(Duration.ofMinutes(1)),
                p95,
                SAMPLES,
                Map.of("p50", p50, "p90", p90, "p95", p95, "p99", p99));
    }

    /** History for a window at minute {@code n}: {@code values} are the windows before it, newest first. */
    static List<WindowPoint> history(double... newestFirst) {
        List<WindowPoint> history = new ArrayList<>(newestFirst.length);
        for (int i = 0; i < newestFirst.length; i++) {
            history.add(window(-1 - i, newestFirst[i]));
        }
        return history;
    }

    static List<WindowPoint> history(int n, DoubleSupplier value) {
        List<WindowPoint> history = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            history.add(window(-1 - i, value.getAsDouble()));
        }
        return history;
    }

    /** {@code n} oldest-first windows, one a minute. */
    static List<WindowPoint> minutes(int n, DoubleSupplier value) {
        List<WindowPoint> series = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            series.add(window(i, value.getAsDouble()));
        }
        return series;
    }

    /**
     * Judges each window of an oldest-first series against the windows before it, newest first, as the
     * consumer does live; returns the judgements in order.
     */
    static List<Judgement> replay(Condition condition, List<WindowPoint> series) {
        ConditionJudge judge = Conditions.judge(condition.type());
        List<WindowPoint> history = new ArrayList<>();
        List<Judgement> judgements = new ArrayList<>(series.size());
        for (WindowPoint w : series) {
            judgements.add(judge.judge(condition, w, history));
            history.add(0, w);
        }
        return judgements;
    }

    static Map<Verdict, Integer> count(List<Judgement> judgements) {
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            counts.put(v, 0);
        }
        judgements.forEach(j -> counts.merge(j.verdict(), 1, Integer::sum));
        return counts;
    }
}
