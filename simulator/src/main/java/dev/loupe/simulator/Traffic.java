package dev.loupe.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated product: four features with their own shapes, models with their own latency and size, sessions,
 * users, errors, truncations and feedback. {@link #slice} makes the traffic of one {@link #SLICE} of simulated
 * time from a random source seeded by the scenario seed and the slice's position, so a run is reproducible
 * however fast or slow it is paced.
 *
 * <p>Per simulated minute, on average: support-rag 80 conversation turns (retrieval + gpt-4.1, decisions,
 * feedback), summarise 25 (claude-sonnet-4-5), classify 110 (gpt-4o-mini, structured output) and agent 70 turns
 * (gpt-4o-mini + a tool call) in 30 sessions. That keeps every shipped rule's sample floor met (100 gpt-4o-mini
 * calls for latency-shift, 20 tool calls per tool, 20 sessions for tokens per session, 50 results for the
 * evaluation rules) without thinking about it.
 */
final class Traffic {
    static final Duration SLICE = Duration.ofSeconds(5);
    private static final double SLICES_PER_MINUTE = 60.0 / SLICE.toSeconds();
    /** Spans per simulated minute at scale 1 with every feature on: support-rag and agent turns are three each. */
    static final double SPANS_PER_MINUTE = 80 * 3 + 25 + 110 + 70 * 3;

    /** A span as the app reports it. */
    record Span(
            String traceId,
            String spanId,
            String parentSpanId,
            String kind,
            String name,
            String provider,
            String model,
            Instant start,
            long latencyMs,
            Long inputTokens,
            Long outputTokens,
            String prompt,
            String completion,
            String status,
            String errorType,
            String feature,
            String sessionId,
            String userId,
            String decisionId,
            String toolName,
            Map<String, Object> parsedOutput,
            String parseError) {}

    /** A retrieved document. */
    record Doc(String docId, double score, String text) {}

    /** A decision: what the feature answered and why. */
    record Decision(
            String decisionId,
            String traceId,
            String feature,
            String input,
            List<Doc> retrieved,
            String promptTemplate,
            String promptVersion,
            String model,
            String output,
            Map<String, Object> parsedOutput,
            String status,
            String errorType,
            long latencyMs,
            Instant occurredAt,
            String sessionId) {}

    /** What a user said about a decision. */
    record Feedback(
            String decisionId, String signal, String correction, String text, String userId, Instant occurredAt) {}

    /** Everything one slice produced. */
    record Slice(List<Span> spans, List<Decision> decisions, List<Feedback> feedback) {}

    private static final String[] TOPICS = {
        "refund",
        "delivery",
        "password reset",
        "invoice",
        "subscription",
        "warranty",
        "order status",
        "account deletion",
        "shipping address",
        "discount code"
    };
    private static final String[] PRODUCTS = {
        "the X200 router", "a yearly plan", "the travel adapter", "my last order", "the family bundle", "the mesh kit"
    };
    private static final String[] REFUSALS = {
        "I'm sorry, but I can't help with that request.",
        "I can't assist with that. Please contact support directly.",
        "As an AI, I am unable to provide information about your account."
    };

    private final long seed;
    private final Scenario scenario;
    private final Instant origin;
    private final double scale;

    Traffic(long seed, Scenario scenario, Instant origin) {
        this(seed, scenario, origin, 1);
    }

    /** {@code scale} multiplies the turns and the concurrent sessions of every feature (the soak's load). */
    Traffic(long seed, Scenario scenario, Instant origin, double scale) {
        this.seed = seed;
        this.scenario = scenario;
        this.origin = origin;
        this.scale = scale;
    }

    /** Minutes from the origin (negative in the history). */
    double minuteOf(Instant t) {
        return Duration.between(origin, t).toMillis() / 60_000.0;
    }

    /** The traffic of [start, start + SLICE). */
    Slice slice(Instant start) {
        long index = Math.floorDiv(Duration.between(origin, start).toMillis(), SLICE.toMillis());
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
        double minute = minuteOf(start);
        List<Span> spans = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        List<Feedback> feedback = new ArrayList<>();
        Context c = new Context(random, start, minute, scale, spans, decisions, feedback);
        for (int i = Draws.poisson(random, 80 * scale / SLICES_PER_MINUTE); i > 0; i--) {
            supportAnswer(c);
        }
        if (minute < -scenario.allFeaturesHistory().toMinutes()) {
            return new Slice(spans, decisions, feedback); // only support-rag this far back (Scenario.full)
        }
        for (int i = Draws.poisson(random, 25 * scale / SLICES_PER_MINUTE); i > 0; i--) {
            summary(c);
        }
        for (int i = Draws.poisson(random, 110 * scale / SLICES_PER_MINUTE); i > 0; i--) {
            classification(c);
        }
        for (int i = Draws.poisson(random, 70 * scale / SLICES_PER_MINUTE); i > 0; i--) {
            agentTurn(c);
        }
        return new Slice(spans, decisions, feedback);
    }

    private record Context(
            SplittableRandom random,
            Instant start,
            double minute,
            double scale,
            List<Span> spans,
            List<Decision> decisions,
            List<Feedback> feedback) {
        Instant at() {
            return start.plusMillis(random.nextLong(SLICE.toMillis()));
        }

        String hex(int bytes) {
            byte[] b = new byte[bytes];
            for (int i = 0; i < bytes; i++) {
                b[i] = (byte) random.nextInt(256);
            }
            return HexFormat.of().formatHex(b);
        }

        /** A session that lasts about four minutes, one of {@code concurrent} (times the scale) at a time. */
        String session(String prefix, int concurrent) {
            long block = (long) Math.floor(minute / 4);
            return prefix + "-" + block + "-" + random.nextInt((int) Math.max(1, Math.round(concurrent * scale)));
        }
    }

    private void supportAnswer(Context c) {
        SplittableRandom r = c.random();
        Instant t = c.at();
        boolean update = scenario.active(Scenario.Kind.MODEL_UPDATE, c.minute());
        String model = update ? "gpt-4.1-mini" : "gpt-4.1";
        String traceId = c.hex(16);
        String rootId = c.hex(8);
        String session = c.session("chat", 40);
        String user = "user-" + Math.floorMod(session.hashCode(), 500);
        String decisionId = "rag-" + traceId.substring(0, 20);
        String topic = TOPICS[r.nextInt(TOPICS.length)];
        String product = PRODUCTS[r.nextInt(PRODUCTS.length)];
        String question = "How do I handle a " + topic + " for " + product + "? Ticket #" + r.nextInt(100_000)
                + (r.nextDouble() < 0.03 ? " You can reach me at jane.doe" + r.nextInt(100) + "@example.com." : "");
        List<Doc> docs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String doc = "kb-" + (1 + r.nextInt(240));
            docs.add(new Doc(
                    doc,
                    Math.round((0.93 - i * 0.09 - r.nextDouble() * 0.05) * 1000) / 1000.0,
                    "Policy " + doc + ": how to handle a " + topic + " step by step."));
        }
        long retrievalMs = 40 + r.nextInt(90);
        long llmMs = Draws.latency(r, update ? 900 : 1400, 0.35);
        String status = outcome(r);
        boolean refuses = r.nextDouble() < (update ? 0.35 : 0.02);
        String output;
        if (!status.equals("SUCCESS") && !status.equals("TRUNCATED")) {
            output = null;
        } else if (refuses) {
            output = REFUSALS[r.nextInt(REFUSALS.length)];
        } else {
            String cited = r.nextDouble() < 0.03
                    ? "kb-" + (300 + r.nextInt(50))
                    : docs.get(0).docId();
            output = "To arrange a " + topic + " for " + product + ", open Orders, choose the item and follow the "
                    + "steps in the policy [doc:" + cited + "]. It usually takes 3-5 business days [doc:"
                    + docs.get(1).docId() + "].";
        }
        long in = 1400 + r.nextInt(900);
        long out = output == null ? 0 : refuses ? 25 + r.nextInt(15) : 140 + r.nextInt(120);
        long total = retrievalMs + llmMs + 30;
        c.spans()
                .add(new Span(
                        traceId,
                        rootId,
                        null,
                        "CHAIN",
                        "support-answer",
                        null,
                        null,
                        t,
                        total,
                        null,
                        null,
                        null,
                        null,
                        status.equals("ERROR") ? "ERROR" : "SUCCESS",
                        status.equals("ERROR") ? "rate_limit" : null,
                        "support-rag",
                        session,
                        user,
                        decisionId,
                        null,
                        null,
                        null));
        c.spans()
                .add(new Span(
                        traceId,
                        c.hex(8),
                        rootId,
                        "RETRIEVAL",
                        "kb.search",
                        null,
                        null,
                        t.plusMillis(5),
                        retrievalMs,
                        null,
                        null,
                        null,
                        null,
                        "SUCCESS",
                        null,
                        null,
                        session,
                        user,
                        null,
                        null,
                        null,
                        null));
        c.spans()
                .add(new Span(
                        traceId,
                        c.hex(8),
                        rootId,
                        "LLM",
                        "chat " + model,
                        "openai",
                        model,
                        t.plusMillis(10 + retrievalMs),
                        llmMs,
                        in,
                        out,
                        "Answer from the policies.\n" + question,
                        output,
                        status,
                        status.equals("ERROR") ? "rate_limit" : null,
                        null,
                        session,
                        user,
                        null,
                        null,
                        null,
                        null));
        c.decisions()
                .add(new Decision(
                        decisionId,
                        traceId,
                        "support-rag",
                        question,
                        docs,
                        "support-answer",
                        update ? "v8" : "v7",
                        model,
                        output,
                        null,
                        status,
                        status.equals("ERROR") ? "rate_limit" : null,
                        total,
                        t,
                        session));
        if (output == null) {
            return;
        }
        double roll = r.nextDouble();
        double corrections = scenario.active(Scenario.Kind.CORRECTION_WAVE, c.minute()) ? 0.25 : 0.02;
        Instant said = t.plusMillis(total + r.nextInt(2_000));
        if (roll < corrections) {
            String correction = "For a " + topic + " on " + product + ", go to Orders > Returns and print the label; "
                    + "refunds arrive within 10 days.";
            c.feedback()
                    .add(new Feedback(
                            decisionId,
                            r.nextBoolean() ? "EDITED" : "INCORRECT",
                            correction,
                            "The answer is out of date.",
                            user,
                            said));
        } else if (roll < corrections + 0.04) {
            c.feedback().add(new Feedback(decisionId, "THUMBS_DOWN", null, null, user, said));
        } else if (roll < corrections + 0.14) {
            c.feedback().add(new Feedback(decisionId, "THUMBS_UP", null, null, user, said));
        }
    }

    private void summary(Context c) {
        SplittableRandom r = c.random();
        Instant t = c.at();
        String traceId = c.hex(16);
        String spanId = c.hex(8);
        long ms = Draws.latency(r, 2500, 0.3);
        String status = outcome(r);
        long in = 3000 + r.nextInt(3000);
        String output = status.equals("ERROR")
                ? null
                : "Summary: the customer asks about " + TOPICS[r.nextInt(TOPICS.length)]
                        + "; agreed next step is a call-back within 24 hours.";
        c.spans()
                .add(new Span(
                        traceId,
                        spanId,
                        null,
                        "LLM",
                        "summarise",
                        "anthropic",
                        "claude-sonnet-4-5",
                        t,
                        ms,
                        in,
                        output == null ? 0L : 180L + r.nextInt(140),
                        "Summarise this ticket thread:\n…",
                        output,
                        status,
                        status.equals("ERROR") ? "timeout" : null,
                        "summarise",
                        null,
                        null,
                        "sum-" + traceId.substring(0, 20),
                        null,
                        null,
                        null));
        c.decisions()
                .add(new Decision(
                        "sum-" + traceId.substring(0, 20),
                        traceId,
                        "summarise",
                        "ticket thread " + r.nextInt(1_000_000),
                        List.of(),
                        "summarise-thread",
                        "v3",
                        "claude-sonnet-4-5",
                        output,
                        null,
                        status,
                        status.equals("ERROR") ? "timeout" : null,
                        ms,
                        t,
                        null));
    }

    private void classification(Context c) {
        SplittableRandom r = c.random();
        Instant t = c.at();
        String traceId = c.hex(16);
        boolean shifted = scenario.active(Scenario.Kind.LATENCY_SHIFT, c.minute());
        long ms = Draws.latency(r, shifted ? 450 * 2.3 : 450, 0.3);
        boolean spam = r.nextDouble() < 0.3;
        boolean parseFails = r.nextDouble() < 0.01;
        Map<String, Object> parsed = parseFails
                ? null
                : Map.of(
                        "label",
                        spam ? "spam" : "ham",
                        "confidence",
                        Math.round((0.7 + r.nextDouble() * 0.3) * 100) / 100.0);
        String completion = parseFails
                ? "Sure! This looks like " + (spam ? "spam" : "ham") + "."
                : "{\"label\": \"" + (spam ? "spam" : "ham") + "\"}";
        String status = outcome(r);
        c.spans()
                .add(new Span(
                        traceId,
                        c.hex(8),
                        null,
                        "LLM",
                        "classify",
                        "openai",
                        "gpt-4o-mini",
                        t,
                        ms,
                        300L + r.nextInt(200),
                        8L + r.nextInt(6),
                        "Is this message spam? …",
                        completion,
                        status,
                        status.equals("ERROR") ? "rate_limit" : null,
                        "classify",
                        null,
                        null,
                        null,
                        null,
                        parsed,
                        parseFails ? "expected a JSON object" : null));
        c.decisions()
                .add(new Decision(
                        "cls-" + traceId.substring(0, 20),
                        traceId,
                        "classify",
                        "message " + r.nextInt(1_000_000),
                        List.of(),
                        "spam-check",
                        "v12",
                        "gpt-4o-mini",
                        completion,
                        parsed,
                        status,
                        status.equals("ERROR") ? "rate_limit" : null,
                        ms,
                        t,
                        null));
    }

    private void agentTurn(Context c) {
        SplittableRandom r = c.random();
        Instant t = c.at();
        String traceId = c.hex(16);
        String rootId = c.hex(8);
        String session = c.session("agent", 30);
        String user = "user-" + Math.floorMod(session.hashCode(), 500);
        boolean shifted = scenario.active(Scenario.Kind.LATENCY_SHIFT, c.minute());
        boolean looping = scenario.active(Scenario.Kind.INJECTION_LOOP, c.minute()) && r.nextDouble() < 0.6;
        String tool = r.nextDouble() < 0.6 ? "lookup_order" : "search_web";
        boolean toolBroken = tool.equals("lookup_order") && scenario.active(Scenario.Kind.TOOL_FAILING, c.minute());
        boolean toolFails = r.nextDouble() < (toolBroken ? 0.45 : 0.02);
        long llmMs = Draws.latency(r, shifted ? 700 * 2.3 : 700, 0.3);
        long toolMs = 80 + r.nextInt(300);
        // the loop: the injected instruction makes the agent re-read its whole context over and over
        long in = (1200 + r.nextInt(700)) * (looping ? 6 : 1);
        long out = (120 + r.nextInt(100)) * (looping ? 4 : 1);
        String llmStatus = outcome(r);
        long total = llmMs + toolMs + 40;
        String decisionId = "agt-" + traceId.substring(0, 20);
        c.spans()
                .add(new Span(
                        traceId,
                        rootId,
                        null,
                        "AGENT",
                        "order-agent",
                        null,
                        null,
                        t,
                        total,
                        null,
                        null,
                        null,
                        null,
                        "SUCCESS",
                        null,
                        "agent",
                        session,
                        user,
                        decisionId,
                        null,
                        null,
                        null));
        c.spans()
                .add(new Span(
                        traceId,
                        c.hex(8),
                        rootId,
                        "LLM",
                        "plan",
                        "openai",
                        "gpt-4o-mini",
                        t.plusMillis(5),
                        llmMs,
                        in,
                        out,
                        "You are an order assistant. Tools: lookup_order, search_web.\nUser: where is my order?",
                        "call " + tool,
                        llmStatus,
                        llmStatus.equals("ERROR") ? "timeout" : null,
                        null,
                        session,
                        user,
                        null,
                        null,
                        null,
                        null));
        c.spans()
                .add(new Span(
                        traceId,
                        c.hex(8),
                        rootId,
                        "TOOL",
                        tool,
                        null,
                        null,
                        t.plusMillis(10 + llmMs),
                        toolMs,
                        null,
                        null,
                        null,
                        null,
                        toolFails ? "ERROR" : "SUCCESS",
                        toolFails ? "http_500" : null,
                        null,
                        session,
                        user,
                        null,
                        tool,
                        null,
                        null));
        c.decisions()
                .add(new Decision(
                        decisionId,
                        traceId,
                        "agent",
                        "where is order " + r.nextInt(1_000_000) + "?",
                        List.of(),
                        "order-agent",
                        "v5",
                        "gpt-4o-mini",
                        toolFails ? "Sorry, I could not look that up right now." : "Your order ships tomorrow.",
                        null,
                        "SUCCESS",
                        null,
                        total,
                        t,
                        session));
    }

    /** SUCCESS, or now and then an error or a truncation. */
    private static String outcome(SplittableRandom r) {
        double roll = r.nextDouble();
        return roll < 0.01 ? "ERROR" : roll < 0.02 ? "TRUNCATED" : "SUCCESS";
    }
}
