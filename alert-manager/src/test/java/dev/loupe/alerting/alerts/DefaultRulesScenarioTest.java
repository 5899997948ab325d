package dev.loupe.alerting.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.alerting.conditions.WindowPoint;
import dev.loupe.alerting.rules.DefaultRules;
import dev.loupe.alerting.rules.Rule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Every shipped rule, replayed through the live condition and lifecycle: it fires on an incident built for
 * it, and 24 hours of seeded normal noise (one-minute windows) make it fire at most rarely. The figures are
 * printed for the issue note.
 */
class DefaultRulesScenarioTest {
    private static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");
    private static final List<Rule> RULES = DefaultRules.load("https://runbooks.example");

    /** How one metric behaves: normal noise, and the incident its rule is for. */
    private record Behaviour(DoubleSupplier normal, DoubleSupplier incident, boolean quantiles) {}

    @Test
    void everyShippedRuleFiresOnItsIncidentAndStaysQuietOnNormalNoise() {
        assertThat(RULES).hasSize(10);
        List<String> report = new ArrayList<>();
        for (Rule rule : RULES) {
            Random random = new Random(rule.id().hashCode());
            Behaviour behaviour = behaviour(rule.metric(), random);

            List<WindowPoint> quiet = series(behaviour, 1_440, 0, random);
            long falseAlarms = fired(rule, quiet);
            List<WindowPoint> incident = series(behaviour, 300, 90, random);
            long caught = fired(rule, incident);

            report.add(String.format(
                    "%-28s false firings in 24 h of normal traffic: %d; incident: %s",
                    rule.id(), falseAlarms, caught > 0 ? "fired" : "MISSED"));
            assertThat(caught).as(rule.id() + " fires on its incident").isPositive();
            assertThat(falseAlarms).as(rule.id() + " on 24 h of normal noise").isLessThanOrEqualTo(2);
        }
        report.forEach(System.out::println);
    }

    private static long fired(Rule rule, List<WindowPoint> windows) {
        return Backtest.replay(rule, Map.of(), windows, T0).transitions().stream()
                .filter(t -> t.state().equals("firing"))
                .count();
    }

    /** {@code normal} windows, then {@code incident} windows of the incident. */
    private static List<WindowPoint> series(Behaviour behaviour, int normal, int incident, Random random) {
        List<WindowPoint> windows = new ArrayList<>();
        for (int i = 0; i < normal + incident; i++) {
            double value = i < normal
                    ? behaviour.normal().getAsDouble()
                    : behaviour.incident().getAsDouble();
            Map<String, Double> quantiles = Map.of();
            if (behaviour.quantiles()) {
                double scale = i < normal ? 1 : 2.2;
                double p50 = 1_000 * Math.exp(random.nextGaussian() * 0.04);
                quantiles = Map.of(
                        "p50",
                        p50,
                        "p90",
                        p50 * 1.8 * (i < normal ? 1 : 1.6),
                        "p95",
                        p50 * 2.2 * scale,
                        "p99",
                        p50 * 3.5 * scale);
                value = quantiles.get("p95");
            }
            windows.add(
                    new WindowPoint(T0.plusSeconds(60L * i), T0.plusSeconds(60L * (i + 1)), value, 1_000, quantiles));
        }
        return windows;
    }

    private static Behaviour behaviour(String metric, Random random) {
        return switch (metric) {
            case "daily_spend_usd" -> new Behaviour(() -> 200 + random.nextDouble() * 150, () -> 650, false);
            case "tokens_per_session" ->
                new Behaviour(() -> 2_000 * Math.exp(random.nextGaussian() * 0.25), () -> 9_000, false);
            case "eval_pass_rate" -> new Behaviour(() -> 0.88 + random.nextGaussian() * 0.02, () -> 0.70, false);
            case "latency_p95_ms" -> new Behaviour(() -> 3_000 + random.nextGaussian() * 400, () -> 12_000, false);
            case "latency_shift" -> new Behaviour(() -> 0, () -> 0, true);
            case "judge_disagreement_rate" ->
                new Behaviour(() -> Math.max(0, 0.10 + random.nextGaussian() * 0.03), () -> 0.45, false);
            // error-like rates: parse failures, tool errors, corrections, thumbs down
            default -> new Behaviour(() -> Math.max(0, 0.04 + random.nextGaussian() * 0.01), () -> 0.25, false);
        };
    }
}
