package dev.loupe.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The traffic's shape against what the shipped alert rules need: their sample floors met in normal minutes,
 * and each incident moving its own signal and no other.
 */
class TrafficTest {
    static final Instant ORIGIN = Instant.parse("2026-11-27T12:00:00Z");
    final Traffic traffic = new Traffic(42, Scenario.full(), ORIGIN);

    /** Per-minute counts of what the rules look at. */
    record Minute(
            int miniCalls,
            int lookupCalls,
            int lookupErrors,
            int agentSessions,
            int ragDecisions,
            int refusals,
            int ragAnswers,
            long agentTokens,
            int corrections,
            int classifySpans) {}

    /** Median latency of gpt-4o-mini calls in [from, to) minutes. */
    double miniLatencyMedian(int from, int to) {
        List<Long> latencies = new ArrayList<>();
        for (Instant t = ORIGIN.plus(Duration.ofMinutes(from));
                t.isBefore(ORIGIN.plus(Duration.ofMinutes(to)));
                t = t.plus(Traffic.SLICE)) {
            traffic.slice(t).spans().stream()
                    .filter(s -> "gpt-4o-mini".equals(s.model()))
                    .forEach(s -> latencies.add(s.latencyMs()));
        }
        Collections.sort(latencies);
        return latencies.get(latencies.size() / 2);
    }

    Minute minute(int m) {
        int mini = 0;
        int lookup = 0;
        int lookupErrors = 0;
        int rag = 0;
        int refusals = 0;
        int answers = 0;
        int corrections = 0;
        int classify = 0;
        long agentTokens = 0;
        Set<String> sessions = new HashSet<>();
        for (Instant t = ORIGIN.plus(Duration.ofMinutes(m));
                t.isBefore(ORIGIN.plus(Duration.ofMinutes(m + 1)));
                t = t.plus(Traffic.SLICE)) {
            Traffic.Slice slice = traffic.slice(t);
            for (Traffic.Span s : slice.spans()) {
                if ("gpt-4o-mini".equals(s.model())) {
                    mini++;
                }
                if ("lookup_order".equals(s.toolName())) {
                    lookup++;
                    lookupErrors += s.status().equals("ERROR") ? 1 : 0;
                }
                if (s.sessionId() != null && s.sessionId().startsWith("agent")) {
                    sessions.add(s.sessionId());
                    agentTokens += (s.inputTokens() == null ? 0 : s.inputTokens())
                            + (s.outputTokens() == null ? 0 : s.outputTokens());
                }
                classify += "classify".equals(s.feature()) ? 1 : 0;
            }
            for (Traffic.Decision d : slice.decisions()) {
                if (d.feature().equals("support-rag")) {
                    rag++;
                    if (d.output() != null) {
                        answers++;
                        refusals += d.output().contains("can't") || d.output().contains("unable") ? 1 : 0;
                    }
                }
            }
            corrections += (int) slice.feedback().stream()
                    .filter(f -> f.correction() != null)
                    .count();
        }
        return new Minute(
                mini,
                lookup,
                lookupErrors,
                sessions.size(),
                rag,
                refusals,
                answers,
                agentTokens,
                corrections,
                classify);
    }

    @Test
    void theSameSeedGivesTheSameTrafficAndAnotherSeedOther() {
        Instant t = ORIGIN.plus(Duration.ofMinutes(3));
        assertThat(traffic.slice(t)).isEqualTo(new Traffic(42, Scenario.full(), ORIGIN).slice(t));
        assertThat(traffic.slice(t)).isNotEqualTo(new Traffic(43, Scenario.full(), ORIGIN).slice(t));
    }

    @Test
    void normalMinutesMeetEveryRulesSampleFloor() {
        for (int m = -120; m < 16; m++) {
            Minute minute = minute(m);
            assertThat(minute.miniCalls())
                    .as("gpt-4o-mini calls, minute %d (latency-shift: 100)", m)
                    .isGreaterThanOrEqualTo(100);
            assertThat(minute.lookupCalls())
                    .as("lookup_order calls, minute %d (tool-error-rate-high: 20)", m)
                    .isGreaterThanOrEqualTo(20);
            assertThat(minute.agentSessions())
                    .as("agent sessions, minute %d (tokens-per-session-anomaly: 20)", m)
                    .isGreaterThanOrEqualTo(20);
            assertThat(minute.ragDecisions())
                    .as("support-rag decisions, minute %d (evaluation and feedback rules: 50)", m)
                    .isGreaterThanOrEqualTo(50);
            assertThat(minute.classifySpans())
                    .as("classify spans, minute %d (parse-failure-rate-increase: 50)", m)
                    .isGreaterThanOrEqualTo(50);
        }
    }

    @Test
    void beforeTheOtherFeaturesJoinedOnlySupportRagRuns() {
        Minute early = minute(-150);
        Minute later = minute(-100);
        assertThat(early.ragDecisions()).isGreaterThanOrEqualTo(50);
        assertThat(early.miniCalls() + early.lookupCalls() + early.agentSessions() + early.classifySpans())
                .isZero();
        assertThat(later.miniCalls()).isGreaterThanOrEqualTo(100);
    }

    @Test
    void eachIncidentMovesItsOwnSignal() {
        Minute before = sum(4, 14);
        Minute toolFailing = sum(17, 20);
        Minute modelUpdate = sum(20, 22);
        Minute loop = sum(45, 47); // loop over, corrections still on
        Minute loopOn = sum(30, 32);
        Minute wave = sum(50, 56);

        assertThat(rate(before.lookupErrors(), before.lookupCalls())).isLessThan(0.05);
        assertThat(rate(toolFailing.lookupErrors(), toolFailing.lookupCalls())).isGreaterThan(0.3);
        assertThat(rate(before.refusals(), before.ragAnswers())).isLessThan(0.05);
        assertThat(rate(modelUpdate.refusals(), modelUpdate.ragAnswers())).isGreaterThan(0.25);
        assertThat(loopOn.agentTokens() / (double) loopOn.agentSessions())
                .isGreaterThan(2.5 * before.agentTokens() / before.agentSessions());
        assertThat(loop.agentTokens() / (double) loop.agentSessions())
                .isLessThan(1.5 * before.agentTokens() / before.agentSessions());
        assertThat(rate(before.corrections(), before.ragDecisions())).isLessThan(0.05);
        assertThat(rate(wave.corrections(), wave.ragDecisions())).isGreaterThan(0.15);
        assertThat(miniLatencyMedian(24, 28) / miniLatencyMedian(4, 14)).isBetween(1.9, 2.7);
        // and each leaves the others' signals alone
        assertThat(rate(modelUpdate.corrections(), modelUpdate.ragDecisions())).isLessThan(0.05);
        assertThat(rate(sum(33, 36).lookupErrors(), sum(33, 36).lookupCalls())).isLessThan(0.05);
        assertThat(rate(toolFailing.refusals(), toolFailing.ragAnswers())).isLessThan(0.05);
        assertThat(miniLatencyMedian(16, 20) / miniLatencyMedian(4, 14)).isBetween(0.85, 1.15);
    }

    private Minute sum(int from, int to) {
        int[] c = new int[9];
        long tokens = 0;
        for (int m = from; m < to; m++) {
            Minute x = minute(m);
            c[0] += x.miniCalls();
            c[1] += x.lookupCalls();
            c[2] += x.lookupErrors();
            c[3] += x.agentSessions();
            c[4] += x.ragDecisions();
            c[5] += x.refusals();
            c[6] += x.ragAnswers();
            c[7] += x.corrections();
            c[8] += x.classifySpans();
            tokens += x.agentTokens();
        }
        return new Minute(c[0], c[1], c[2], c[3], c[4], c[5], c[6], tokens, c[7], c[8]);
    }

    private static double rate(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }
}
