package dev.loupe.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The demo's timeline, in simulated minutes from its origin (the moment live traffic begins; normal history comes
 * before it): which incidents happen when, and which alerts each should cause. Every shipped
 * alert rule keeps its own settings: the incidents are sized and timed so those rules fire, and the normal
 * traffic so that no other does.
 */
public record Scenario(
        String name, Duration history, Duration allFeaturesHistory, Duration length, List<Incident> incidents) {

    /** What goes wrong. */
    public enum Kind {
        /** support-rag moves to a cheaper model that declines far more often: its refusal pass rate drops. */
        MODEL_UPDATE,
        /** the order-lookup tool's backend fails almost half of the calls. */
        TOOL_FAILING,
        /** the gpt-4o-mini provider gets 2.3 times slower. */
        LATENCY_SHIFT,
        /** a prompt injection makes agent sessions loop: about six times the tokens per session. */
        INJECTION_LOOP,
        /** users correct a quarter of support-rag's answers. */
        CORRECTION_WAVE
    }

    /** An alert rule and the labels its alert must carry. */
    public record ExpectedAlert(String ruleId, Map<String, String> labels) {
        @Override
        public String toString() {
            return ruleId + labels;
        }
    }

    /** One incident: active in [from, to) minutes after the origin; {@code to} null = until the end. */
    public record Incident(Kind kind, int from, Integer to, ExpectedAlert expected) {
        public boolean activeAt(double minute) {
            return minute >= from && (to == null || minute < to);
        }

        public String describe() {
            return switch (kind) {
                case MODEL_UPDATE -> "support-rag switched to gpt-4.1-mini (refuses more)";
                case TOOL_FAILING -> "tool lookup_order failing";
                case LATENCY_SHIFT -> "gpt-4o-mini provider 2.3× slower";
                case INJECTION_LOOP -> "prompt-injection loop in agent sessions";
                case CORRECTION_WAVE -> "wave of corrections on support-rag";
            };
        }
    }

    static final ExpectedAlert REFUSALS =
            new ExpectedAlert("eval-pass-rate-drop", Map.of("feature", "support-rag", "evaluator", "refusal"));
    static final ExpectedAlert TOOL = new ExpectedAlert("tool-error-rate-high", Map.of("tool", "lookup_order"));
    static final ExpectedAlert LATENCY = new ExpectedAlert("latency-shift", Map.of("model", "gpt-4o-mini"));
    static final ExpectedAlert TOKENS = new ExpectedAlert("tokens-per-session-anomaly", Map.of("feature", "agent"));
    static final ExpectedAlert CORRECTIONS =
            new ExpectedAlert("correction-rate-increase", Map.of("feature", "support-rag"));

    /**
     * About 57 simulated minutes after three hours of history; each incident starts late enough for its rule's
     * baseline to have learned (the evaluation baseline needs ten live minutes) and early enough for its
     * {@code for} (up to 15 minutes) to pass before the end.
     *
     * <p>Why three hours for support-rag: a {@code baseline} rule's mean and σ absorb a lasting step after about
     * one ninth of its baseline windows (mean + 3σ of a mix of two levels reaches the new level once the new level
     * is about 10 % of the windows), so correction-rate-increase ({@code for} 15 minutes) can only fire with more
     * than ~150 windows of history. The other features' rules read at most 120 windows: they join for the last two
     * hours, which keeps the back-fill short.
     */
    public static Scenario full() {
        return new Scenario(
                "full",
                Duration.ofMinutes(180),
                Duration.ofMinutes(120),
                Duration.ofMinutes(57),
                List.of(
                        new Incident(Kind.TOOL_FAILING, 16, 28, TOOL),
                        new Incident(Kind.MODEL_UPDATE, 20, 32, REFUSALS),
                        new Incident(Kind.LATENCY_SHIFT, 22, null, LATENCY),
                        new Incident(Kind.INJECTION_LOOP, 24, 44, TOKENS),
                        new Incident(Kind.CORRECTION_WAVE, 28, null, CORRECTIONS)));
    }

    /** The end-to-end test's cut: two incidents with short {@code for}s, 30 minutes after a 40-minute history. */
    public static Scenario shortened() {
        return new Scenario(
                "shortened",
                Duration.ofMinutes(40),
                Duration.ofMinutes(40),
                Duration.ofMinutes(30),
                List.of(
                        new Incident(Kind.TOOL_FAILING, 14, null, TOOL),
                        new Incident(Kind.MODEL_UPDATE, 16, null, REFUSALS)));
    }

    /** The soak ({@code bin/loupe soak}): no history and no incident, only normal live traffic for {@code length}. */
    public static Scenario soak(Duration length) {
        return new Scenario("soak", Duration.ZERO, Duration.ZERO, length, List.of());
    }

    /** {@code soak} lasts {@code soakLength}; the others have their own length. */
    public static Scenario named(String name, Duration soakLength) {
        return switch (name) {
            case "full" -> full();
            case "shortened" -> shortened();
            case "soak" -> soak(soakLength);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "' (full, shortened, soak)");
        };
    }

    public boolean active(Kind kind, double minute) {
        return incidents.stream().anyMatch(i -> i.kind() == kind && i.activeAt(minute));
    }

    public List<ExpectedAlert> expectedAlerts() {
        return incidents.stream().map(Incident::expected).toList();
    }
}
