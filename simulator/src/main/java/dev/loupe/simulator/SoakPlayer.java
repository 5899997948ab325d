package dev.loupe.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plays live traffic paced to the wall clock, as the app's instances would report it: each trace goes out one
 * {@link Traffic#SLICE} after it started (its spans, its decision and its feedback together), in steps of
 * {@value #STEP_MS} ms, so the collector sees a steady rate rather than one burst every five seconds.
 */
final class SoakPlayer {
    static final long STEP_MS = 250;
    static final int STEPS = (int) (Traffic.SLICE.toMillis() / STEP_MS);

    /** Where the items go: the app's clients and the feedback pool. */
    interface Sink {
        void span(Traffic.Span span);

        void decision(Traffic.Decision decision);

        void feedback(Traffic.Feedback feedback);
    }

    /** One step's items. */
    record Step(List<Traffic.Span> spans, List<Traffic.Decision> decisions, List<Traffic.Feedback> feedback) {
        Step() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private final Traffic traffic;
    private final Instant origin;
    private final Instant end;
    private final Duration ramp;
    private final Sink sink;

    /** Plays {@code ramp} (its rate rising evenly from 0, see {@link #ramped}), then {@code length} at the full rate. */
    SoakPlayer(Traffic traffic, Instant origin, Duration ramp, Duration length, Sink sink) {
        this.traffic = traffic;
        this.origin = origin;
        this.ramp = ramp;
        this.end = origin.plus(ramp).plus(length);
        this.sink = sink;
    }

    /** Sends every slice of [origin, origin + length) at its time; returns when the last step went out. */
    void play() throws InterruptedException {
        for (Instant start = origin; start.isBefore(end); start = start.plus(Traffic.SLICE)) {
            Instant due = start.plus(Traffic.SLICE);
            for (Step step : steps(ramped(traffic.slice(start), origin, ramp), start)) {
                sleepUntil(due);
                step.spans().forEach(sink::span);
                step.decisions().forEach(sink::decision);
                step.feedback().forEach(sink::feedback);
                due = due.plusMillis(STEP_MS);
            }
        }
    }

    /**
     * The slice as the ramp plays it: a trace that starts a share {@code s} of the way through the ramp is kept
     * when its id falls in the lowest {@code s} of {@link #share(String)}'s range, so the rate rises evenly from 0 to
     * the full rate, and each trace goes out whole (its spans, decision and feedback) or not at all. After the
     * ramp (or with none) the slice is unchanged.
     */
    static Traffic.Slice ramped(Traffic.Slice slice, Instant origin, Duration ramp) {
        if (ramp.isZero() || slice.spans().stream().allMatch(s -> !s.start().isBefore(origin.plus(ramp)))) {
            return slice;
        }
        Map<String, Instant> started = new HashMap<>();
        for (Traffic.Span s : slice.spans()) {
            started.merge(s.traceId(), s.start(), (a, b) -> a.isBefore(b) ? a : b);
        }
        for (Traffic.Decision d : slice.decisions()) {
            started.putIfAbsent(d.traceId(), d.occurredAt());
        }
        Set<String> kept = new HashSet<>();
        started.forEach((trace, at) -> {
            double through = Duration.between(origin, at).toMillis() / (double) ramp.toMillis();
            if (share(trace) < through) {
                kept.add(trace);
            }
        });
        Set<String> keptDecisions = new HashSet<>();
        List<Traffic.Decision> decisions = new ArrayList<>();
        for (Traffic.Decision d : slice.decisions()) {
            if (kept.contains(d.traceId())) {
                decisions.add(d);
                keptDecisions.add(d.decisionId());
            }
        }
        return new Traffic.Slice(
                slice.spans().stream().filter(s -> kept.contains(s.traceId())).toList(),
                decisions,
                slice.feedback().stream()
                        .filter(f -> keptDecisions.contains(f.decisionId()))
                        .toList());
    }

    /** Where a trace id falls in [0, 1): the same for the same id, spread evenly over traces. */
    static double share(String traceId) {
        long h = traceId.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (h >>> 11) / (double) (1L << 53);
    }

    /** The slice's items by the step its trace started in (the decision's time; a span without one, its own). */
    static List<Step> steps(Traffic.Slice slice, Instant sliceStart) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            steps.add(new Step());
        }
        Map<String, Integer> ofTrace = new HashMap<>();
        Map<String, Integer> ofDecision = new HashMap<>();
        for (Traffic.Decision d : slice.decisions()) {
            int step = step(d.occurredAt(), sliceStart);
            ofTrace.put(d.traceId(), step);
            ofDecision.put(d.decisionId(), step);
            steps.get(step).decisions().add(d);
        }
        for (Traffic.Span s : slice.spans()) {
            steps.get(ofTrace.getOrDefault(s.traceId(), step(s.start(), sliceStart)))
                    .spans()
                    .add(s);
        }
        for (Traffic.Feedback f : slice.feedback()) {
            steps.get(ofDecision.getOrDefault(f.decisionId(), STEPS - 1))
                    .feedback()
                    .add(f);
        }
        return steps;
    }

    private static int step(Instant at, Instant sliceStart) {
        long offset = Duration.between(sliceStart, at).toMillis();
        return (int) Math.max(0, Math.min(STEPS - 1, offset / STEP_MS));
    }

    private static void sleepUntil(Instant due) throws InterruptedException {
        long wait = Duration.between(Instant.now(), due).toMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
