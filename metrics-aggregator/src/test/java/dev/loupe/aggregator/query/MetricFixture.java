package dev.loupe.aggregator.query;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.testing.TestSpans;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded traffic for the metric tests: traces of a root span that names the feature and children that do
 * not (an LLM call, sometimes a tool call), spread over about two days. Every trace knows its feature, so
 * the tests can compute the expected numbers directly from these records, independently of the
 * aggregator.
 */
final class MetricFixture {
    static final String[] FEATURES = {"support-rag", "summarise", "classify"};
    static final String[] MODELS = {"gpt-4o", "claude-sonnet"};
    static final String[] TOOLS = {"search_docs", "lookup_order"};

    /** One trace: its spans in the order they should be sent (children first for some traces). */
    record Trace(String feature, List<SpanRecord> spans) {}

    static List<Trace> traces(String projectId, Instant start, Duration spread, int count, long seed) {
        Random random = new Random(seed);
        List<Trace> traces = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String traceId = TestSpans.randomHex(32);
            String feature = FEATURES[random.nextInt(FEATURES.length)];
            String model = MODELS[random.nextInt(MODELS.length)];
            Instant t = start.plusMillis((long) (random.nextDouble() * spread.toMillis()));
            String rootId = TestSpans.randomHex(16);
            List<SpanRecord> children = new ArrayList<>();
            long latency = Math.round(Math.exp(6 + random.nextGaussian() * 0.6)) + (model.equals("gpt-4o") ? 0 : 300);
            double roll = random.nextDouble();
            Outcome status = roll < 0.08 ? Outcome.ERROR : roll < 0.12 ? Outcome.TRUNCATED : Outcome.SUCCESS;
            String errorType = status == Outcome.ERROR ? (random.nextBoolean() ? "rate_limit" : "timeout") : null;
            long in = 200 + random.nextInt(1500);
            long out = 20 + random.nextInt(400);
            BigDecimal cost =
                    BigDecimal.valueOf(in * 25 + out * 100).movePointLeft(7).setScale(10, RoundingMode.UNNECESSARY);
            boolean structured = feature.equals("classify");
            boolean parseFailed = structured && random.nextDouble() < 0.2;
            children.add(span(
                    projectId,
                    traceId,
                    TestSpans.randomHex(16),
                    rootId,
                    SpanKind.LLM,
                    null,
                    model,
                    t.plusMillis(5),
                    latency,
                    in,
                    out,
                    cost,
                    status,
                    errorType,
                    null,
                    structured && !parseFailed
                            ? JsonNodeFactory.instance.objectNode().put("label", "spam")
                            : null,
                    parseFailed ? "expected JSON" : null,
                    "s-" + (i % 17)));
            if (random.nextDouble() < 0.5) {
                String tool = TOOLS[random.nextInt(TOOLS.length)];
                boolean toolFailed = random.nextDouble() < 0.25;
                children.add(span(
                        projectId,
                        traceId,
                        TestSpans.randomHex(16),
                        rootId,
                        SpanKind.TOOL,
                        null,
                        null,
                        t.plusMillis(latency + 10),
                        40 + random.nextInt(100),
                        null,
                        null,
                        null,
                        toolFailed ? Outcome.ERROR : Outcome.SUCCESS,
                        toolFailed ? "tool_error" : null,
                        tool,
                        null,
                        null,
                        "s-" + (i % 17)));
            }
            SpanRecord root = span(
                    projectId,
                    traceId,
                    rootId,
                    null,
                    SpanKind.CHAIN,
                    feature,
                    null,
                    t,
                    latency + 200,
                    null,
                    null,
                    null,
                    Outcome.SUCCESS,
                    null,
                    null,
                    null,
                    null,
                    "s-" + (i % 17));
            List<SpanRecord> ordered = new ArrayList<>();
            if (i % 2 == 0) {
                ordered.addAll(children);
                ordered.add(root);
            } else {
                ordered.add(root);
                ordered.addAll(children);
            }
            traces.add(new Trace(feature, ordered));
        }
        return traces;
    }

    private static SpanRecord span(
            String projectId,
            String traceId,
            String spanId,
            String parent,
            SpanKind kind,
            String feature,
            String model,
            Instant start,
            long latencyMs,
            Long in,
            Long out,
            BigDecimal cost,
            Outcome status,
            String errorType,
            String tool,
            com.fasterxml.jackson.databind.JsonNode parsed,
            String parseError,
            String session) {
        return new SpanRecord(
                SchemaVersions.CURRENT,
                projectId,
                traceId,
                spanId,
                parent,
                kind,
                kind + " span",
                model == null ? null : "openai",
                model,
                null,
                start,
                start.plusMillis(latencyMs),
                latencyMs,
                null,
                in,
                out,
                null,
                null,
                null,
                cost,
                null,
                null,
                status == Outcome.TRUNCATED,
                Map.of(),
                parsed,
                parseError,
                status,
                errorType,
                null,
                feature,
                session,
                null,
                null,
                tool,
                null,
                null,
                Map.of(),
                Map.of(),
                start.plusSeconds(1));
    }
}
