package dev.loupe.alerting.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.alerting.alerts.AlertLifecycle.Status;
import dev.loupe.alerting.alerts.AlertLifecycle.Step;
import dev.loupe.alerting.conditions.Judgement;
import dev.loupe.alerting.conditions.Judgement.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Timelines of one-minute windows through the lifecycle, on window time. */
class AlertLifecycleTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void aBreachFiresOnlyOnceItHasLastedFor() {
        List<String> entered = run(
                Duration.ofMinutes(2), Duration.ZERO, Verdict.BREACH, Verdict.BREACH, Verdict.BREACH, Verdict.BREACH);
        assertThat(entered).containsExactly("10:01 pending", "10:03 firing");
    }

    @Test
    void aPendingAlertThatRecoversNeverFires() {
        assertThat(run(
                        Duration.ofMinutes(5),
                        Duration.ZERO,
                        Verdict.BREACH,
                        Verdict.BREACH,
                        Verdict.RECOVERED,
                        Verdict.BREACH))
                .containsExactly("10:01 pending", "10:03 resolved", "10:04 pending");
    }

    @Test
    void withoutForTheFirstBreachFires() {
        assertThat(run(Duration.ZERO, Duration.ZERO, Verdict.RECOVERED, Verdict.BREACH, Verdict.RECOVERED))
                .containsExactly("10:02 firing", "10:03 resolved");
    }

    @Test
    void aValueHoveringBetweenTheLevelsDoesNotFlap() {
        // breach, then values between the trigger and recovery levels: hysteresis keeps it firing
        assertThat(run(
                        Duration.ZERO,
                        Duration.ZERO,
                        Verdict.BREACH,
                        Verdict.HOLD,
                        Verdict.BREACH,
                        Verdict.HOLD,
                        Verdict.HOLD,
                        Verdict.RECOVERED))
                .containsExactly("10:01 firing", "10:06 resolved");
    }

    @Test
    void keepFiringForWaitsAfterRecoveryAndABreachRestartsTheWait() {
        assertThat(run(
                        Duration.ZERO,
                        Duration.ofMinutes(2),
                        Verdict.BREACH,
                        Verdict.RECOVERED,
                        Verdict.RECOVERED,
                        Verdict.BREACH,
                        Verdict.RECOVERED,
                        Verdict.RECOVERED,
                        Verdict.RECOVERED))
                .containsExactly("10:01 firing", "10:07 resolved");
    }

    @Test
    void aPendingAlertBetweenTheLevelsIsStillInBreachAndFiresAfterFor() {
        assertThat(run(
                        Duration.ofMinutes(2),
                        Duration.ZERO,
                        Verdict.BREACH,
                        Verdict.HOLD,
                        Verdict.HOLD,
                        Verdict.RECOVERED))
                .containsExactly("10:01 pending", "10:03 firing", "10:04 resolved");
    }

    @Test
    void aResolvedAlertKeepsWhenItStarted() {
        Status status = Status.inactive();
        status = step(status, Verdict.BREACH, 1, Duration.ZERO).next();
        Status resolved = step(status, Verdict.RECOVERED, 2, Duration.ZERO).next();
        assertThat(resolved.state()).isEqualTo(Status.RESOLVED);
        assertThat(resolved.pendingSince()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void skippedWindowsChangeNothing() {
        assertThat(run(
                        Duration.ofMinutes(1),
                        Duration.ZERO,
                        Verdict.BREACH,
                        Verdict.SKIP,
                        Verdict.SKIP,
                        Verdict.RECOVERED))
                .containsExactly("10:01 pending", "10:04 resolved");
    }

    @Test
    void firingSinceIsWhenItFiredAndPendingSinceWhenTheBreachBegan() {
        Status status = Status.inactive();
        status = step(status, Verdict.BREACH, 1, Duration.ofMinutes(1)).next();
        Status firing = step(status, Verdict.BREACH, 2, Duration.ofMinutes(1)).next();
        assertThat(firing.state()).isEqualTo(Status.FIRING);
        assertThat(firing.pendingSince()).isEqualTo(T0.plusSeconds(60));
        assertThat(firing.firingSince()).isEqualTo(T0.plusSeconds(120));
    }

    private static List<String> run(Duration pendingFor, Duration keepFiringFor, Verdict... verdicts) {
        Status status = Status.inactive();
        List<String> entered = new ArrayList<>();
        for (int i = 0; i < verdicts.length; i++) {
            Step step = AlertLifecycle.next(
                    status,
                    new Judgement(verdicts[i], 0.5, 0.6, 0.7, 0.8, "test"),
                    T0.plusSeconds(60L * (i + 1)),
                    pendingFor,
                    keepFiringFor);
            if (step.entered() != null) {
                entered.add(String.format("10:%02d %s", i + 1, step.entered()));
            }
            status = step.next();
        }
        return entered;
    }

    private static Step step(Status status, Verdict verdict, int minute, Duration pendingFor) {
        return AlertLifecycle.next(
                status,
                new Judgement(verdict, 0.5, 0.6, 0.7, 0.8, "test"),
                T0.plusSeconds(60L * minute),
                pendingFor,
                Duration.ZERO);
    }
}
