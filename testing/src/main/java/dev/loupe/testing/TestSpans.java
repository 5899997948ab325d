package dev.loupe.testing;

import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Builds spans the way an app sends them to {@code POST /v1/spans}. */
public final class TestSpans {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private TestSpans() {}

    /** A successful LLM span of a new trace, one second long, with every commonly set field. */
    public static TestSpans llm() {
        Instant start = Instant.parse("2026-11-27T10:00:00Z");
        TestSpans span = new TestSpans();
        span.fields.put("traceId", randomHex(32));
        span.fields.put("spanId", randomHex(16));
        span.fields.put("parentSpanId", null);
        span.fields.put("kind", "LLM");
        span.fields.put("name", "chat gpt-4o");
        span.fields.put("provider", "openai");
        span.fields.put("model", "gpt-4o");
        span.fields.put("startTime", start.toString());
        span.fields.put("endTime", start.plusMillis(1250).toString());
        span.fields.put("inputTokens", 812);
        span.fields.put("outputTokens", 143);
        span.fields.put("prompt", "What is the refund policy?");
        span.fields.put("completion", "Refunds are accepted within 30 days.");
        span.fields.put("status", "SUCCESS");
        span.fields.put("feature", "support-chat");
        span.fields.put("sessionId", "s-1");
        span.fields.put("userId", "u-42");
        span.fields.put("decisionId", "d-" + randomHex(8));
        span.fields.put("metadata", Map.of("tier", "pro"));
        return span;
    }

    public TestSpans with(String field, Object value) {
        fields.put(field, value);
        return this;
    }

    public TestSpans without(String field) {
        fields.remove(field);
        return this;
    }

    public String traceId() {
        return (String) fields.get("traceId");
    }

    public String spanId() {
        return (String) fields.get("spanId");
    }

    public Map<String, Object> build() {
        return new HashMap<>(fields);
    }

    /** The request body of {@code POST /v1/spans} for these spans. */
    public static Map<String, Object> batch(TestSpans... spans) {
        return Map.of("spans", List.of(spans).stream().map(TestSpans::build).toList());
    }

    public static String randomHex(int chars) {
        byte[] bytes = new byte[chars / 2];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
