package dev.loupe.alerting.alerts;

import dev.loupe.alerting.conditions.Judgement;
import java.time.Duration;
import java.time.Instant;

/**
 * inactive → pending → firing → resolved, on window time (each judged window's end), so live, replayed and
 * backtested windows behave alike. A series enters {@code pending} on a breach and fires once the breach
 * has lasted {@code for}; only a window back inside the recovery level clears it (a window between the
 * trigger and recovery levels, HOLD, changes nothing: hysteresis). A firing alert resolves once it has
 * been recovered for {@code keepFiringFor}; a new breach meanwhile restarts that wait. Pure: the engine
 * and the backtest share it.
 */
public final class AlertLifecycle {
    /** Where a series stands. {@code state} null means inactive. */
    public record Status(
            String state, Instant pendingSince, Instant firingSince, Instant recoveringSince, Instant lastWindowEnd) {
        public static final String PENDING = "pending";
        public static final String FIRING = "firing";
        public static final String RESOLVED = "resolved";

        public static Status inactive() {
            return new Status(null, null, null, null, null);
        }

        boolean active() {
            return PENDING.equals(state) || FIRING.equals(state);
        }
    }

    /** The next status and the state entered, if any ({@code pending}, {@code firing}, {@code resolved}). */
    public record Step(Status next, String entered) {}

    private AlertLifecycle() {}

    public static Step next(
            Status now, Judgement judgement, Instant windowEnd, Duration pendingFor, Duration keepFiringFor) {
        Judgement.Verdict verdict = judgement.verdict();
        if (verdict == Judgement.Verdict.SKIP) {
            return stay(now, windowEnd);
        }
        if (!now.active()) {
            if (verdict != Judgement.Verdict.BREACH) {
                return stay(now, windowEnd);
            }
            if (pendingFor.isZero()) {
                return new Step(new Status(Status.FIRING, windowEnd, windowEnd, null, windowEnd), Status.FIRING);
            }
            return new Step(new Status(Status.PENDING, windowEnd, null, null, windowEnd), Status.PENDING);
        }
        if (Status.PENDING.equals(now.state())) {
            if (verdict == Judgement.Verdict.RECOVERED) {
                return new Step(
                        new Status(Status.RESOLVED, now.pendingSince(), null, null, windowEnd), Status.RESOLVED);
            }
            // with hysteresis a series stays in breach until a window is back inside the recovery level, so a
            // window between the levels (HOLD) counts towards `for` like a breach: the baseline of a lasting
            // incident soon absorbs part of it, and its windows then sit between the levels
            if (Duration.between(now.pendingSince(), windowEnd).compareTo(pendingFor) >= 0) {
                return new Step(
                        new Status(Status.FIRING, now.pendingSince(), windowEnd, null, windowEnd), Status.FIRING);
            }
            return stay(now, windowEnd);
        }
        // firing
        if (verdict == Judgement.Verdict.BREACH) {
            return new Step(new Status(Status.FIRING, now.pendingSince(), now.firingSince(), null, windowEnd), null);
        }
        if (verdict == Judgement.Verdict.HOLD) {
            return stay(now, windowEnd);
        }
        Instant recovering = now.recoveringSince() == null ? windowEnd : now.recoveringSince();
        if (Duration.between(recovering, windowEnd).compareTo(keepFiringFor) >= 0) {
            // the resolved alert keeps when it started, for the resolve notification and event
            return new Step(new Status(Status.RESOLVED, now.pendingSince(), null, null, windowEnd), Status.RESOLVED);
        }
        return new Step(new Status(Status.FIRING, now.pendingSince(), now.firingSince(), recovering, windowEnd), null);
    }

    private static Step stay(Status now, Instant windowEnd) {
        return new Step(
                new Status(now.state(), now.pendingSince(), now.firingSince(), now.recoveringSince(), windowEnd), null);
    }
}
