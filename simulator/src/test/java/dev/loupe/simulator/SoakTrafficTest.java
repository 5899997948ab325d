package dev.loupe.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The soak's traffic: the requested span rate, reproducible, paced evenly, each trace sent whole. */
class SoakTrafficTest {
    static final Instant ORIGIN = Instant.parse("2026-11-27T12:00:00Z");

    /** Spans per second over {@code slices} slices from the origin. */
    static double rate(Traffic traffic, int slices) {
        long spans = 0;
        for (int i = 0; i < slices; i++) {
            spans += traffic.slice(ORIGIN.plus(Traffic.SLICE.multipliedBy(i)))
                    .spans()
                    .size();
        }
        return spans / (slices * (double) Traffic.SLICE.toSeconds());
    }

    static Traffic soak(long seed, double spansPerSecond) {
        return new Traffic(seed, Scenario.soak(Duration.ofMinutes(30)), ORIGIN, Soak.scaleFor(spansPerSecond));
    }

    @Test
    void theScaledProductSendsTheRequestedRate() {
        assertThat(rate(soak(42, 2000), 24))
                .as("spans/s over two minutes at 2,000")
                .isBetween(1940.0, 2060.0);
        assertThat(rate(soak(7, 300), 60))
                .as("spans/s over five minutes at 300")
                .isBetween(291.0, 309.0);
        assertThat(rate(new Traffic(42, Scenario.soak(Duration.ofMinutes(30)), ORIGIN), 120))
                .as("scale 1 is the demo's normal traffic")
                .isBetween(Traffic.SPANS_PER_MINUTE / 60 * 0.95, Traffic.SPANS_PER_MINUTE / 60 * 1.05);
    }

    @Test
    void theSameSeedGivesTheSameSoak() {
        Instant t = ORIGIN.plus(Duration.ofMinutes(7));
        assertThat(soak(42, 2000).slice(t)).isEqualTo(soak(42, 2000).slice(t));
        assertThat(soak(42, 2000).slice(t)).isNotEqualTo(soak(43, 2000).slice(t));
    }

    @Test
    void sessionsGrowWithTheScaleSoEachKeepsTheDemosPace() {
        long sessions = soak(42, 2000).slice(ORIGIN).spans().stream()
                .map(Traffic.Span::sessionId)
                .filter(s -> s != null && s.startsWith("chat"))
                .distinct()
                .count();
        assertThat(sessions)
                .as("chat sessions in one slice at 2,000 spans/s (40 at scale 1)")
                .isGreaterThan(1_000);
    }

    @Test
    void eachTraceGoesOutWholeInTheStepItStartedIn() {
        Traffic.Slice slice = soak(42, 2000).slice(ORIGIN);
        List<SoakPlayer.Step> steps = SoakPlayer.steps(slice, ORIGIN);

        assertThat(steps).hasSize(SoakPlayer.STEPS);
        assertThat(steps.stream().mapToInt(s -> s.spans().size()).sum())
                .isEqualTo(slice.spans().size());
        assertThat(steps.stream().mapToInt(s -> s.decisions().size()).sum())
                .isEqualTo(slice.decisions().size());
        assertThat(steps.stream().mapToInt(s -> s.feedback().size()).sum())
                .isEqualTo(slice.feedback().size());
        Map<String, Integer> stepOfTrace = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            for (Traffic.Decision d : steps.get(i).decisions()) {
                stepOfTrace.put(d.traceId(), i);
                assertThat(d.occurredAt())
                        .isBetween(
                                ORIGIN.plusMillis(i * SoakPlayer.STEP_MS),
                                ORIGIN.plusMillis((i + 1) * SoakPlayer.STEP_MS - 1));
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            for (Traffic.Span s : steps.get(i).spans()) {
                assertThat(stepOfTrace.get(s.traceId()))
                        .as("step of span %s's trace", s.spanId())
                        .isEqualTo(i);
            }
        }
        double perStep = slice.spans().size() / (double) SoakPlayer.STEPS;
        assertThat(steps)
                .allSatisfy(s -> assertThat((double) s.spans().size()).isBetween(perStep * 0.7, perStep * 1.3));
    }

    @Test
    void soakOptionsBelongToTheSoak() {
        Options o = Options.parse(
                new String[] {"--bootstrap-token=t", "--scenario=soak", "--spans-per-second=500", "--duration=PT3M"});
        assertThat(o.soak()).isTrue();
        assertThat(o.spansPerSecond()).isEqualTo(500);
        assertThat(o.scenario().length()).isEqualTo(Duration.ofMinutes(3));
        assertThat(o.scenario().incidents()).isEmpty();
        assertThat(Options.parse(new String[] {"--bootstrap-token=t", "--scenario=soak"})
                        .scenario()
                        .length())
                .isEqualTo(Duration.ofMinutes(30));
        assertThatThrownBy(() -> Options.parse(new String[] {"--bootstrap-token=t", "--duration=PT3M"}))
                .hasMessageContaining("--scenario=soak");
        assertThatThrownBy(() ->
                        Options.parse(new String[] {"--bootstrap-token=t", "--scenario=soak", "--spans-per-second=0"}))
                .hasMessageContaining("positive");
    }

    @Test
    void aRampRaisesTheRateEvenlyFromZeroAndSendsEachTraceWholeOrNotAtAll() {
        Duration ramp = Duration.ofMinutes(3);
        Traffic traffic = soak(42, 2000);
        double[] shares = new double[6];
        for (int minute = 0; minute < 6; minute++) {
            long full = 0;
            long ramped = 0;
            for (int i = 0; i < 12; i++) {
                Instant start = ORIGIN.plus(Duration.ofMinutes(minute)).plus(Traffic.SLICE.multipliedBy(i));
                Traffic.Slice slice = traffic.slice(start);
                Traffic.Slice played = SoakPlayer.ramped(slice, ORIGIN, ramp);
                full += slice.spans().size();
                ramped += played.spans().size();
                Map<String, Long> spansOfTrace = new HashMap<>();
                slice.spans().forEach(s -> spansOfTrace.merge(s.traceId(), 1L, Long::sum));
                Map<String, Long> playedOfTrace = new HashMap<>();
                played.spans().forEach(s -> playedOfTrace.merge(s.traceId(), 1L, Long::sum));
                playedOfTrace.forEach((trace, n) -> assertThat(n).as(trace).isEqualTo(spansOfTrace.get(trace)));
                Set<String> decided = new HashSet<>();
                played.decisions().forEach(d -> {
                    assertThat(playedOfTrace).as("a decision's trace is played").containsKey(d.traceId());
                    decided.add(d.decisionId());
                });
                played.feedback().forEach(f -> assertThat(decided).contains(f.decisionId()));
            }
            shares[minute] = ramped / (double) full;
        }
        // the mean of a linear rise over each of the ramp's three minutes: 1/6, 1/2, 5/6; then the full rate
        assertThat(shares[0]).isBetween(0.12, 0.22);
        assertThat(shares[1]).isBetween(0.44, 0.56);
        assertThat(shares[2]).isBetween(0.78, 0.89);
        assertThat(shares[3]).isEqualTo(1.0);
        assertThat(shares[5]).isEqualTo(1.0);
        assertThat(SoakPlayer.ramped(traffic.slice(ORIGIN), ORIGIN, Duration.ZERO))
                .isEqualTo(traffic.slice(ORIGIN));
    }
}
