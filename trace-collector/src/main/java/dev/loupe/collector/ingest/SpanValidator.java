package dev.loupe.collector.ingest;

import java.util.Optional;
import java.util.regex.Pattern;

/** Checks the fields of one span that Jackson's types cannot: ids, times, counts. */
public final class SpanValidator {
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
    private static final int MAX_TEXT_ID = 256;

    private SpanValidator() {
    }

    /** The first problem of the span, its field relative to the span. */
    public static Optional<FieldProblem> firstProblem(SpanInput span) {
        if (span.traceId() == null) {
            return problem("traceId", "is required");
        }
        if (!TRACE_ID.matcher(span.traceId()).matches() || span.traceId().chars().allMatch(c -> c == '0')) {
            return problem("traceId", "must be 32 lowercase hex characters, not all zero");
        }
        if (span.spanId() == null) {
            return problem("spanId", "is required");
        }
        if (!SPAN_ID.matcher(span.spanId()).matches() || span.spanId().chars().allMatch(c -> c == '0')) {
            return problem("spanId", "must be 16 lowercase hex characters, not all zero");
        }
        if (span.parentSpanId() != null && !SPAN_ID.matcher(span.parentSpanId()).matches()) {
            return problem("parentSpanId", "must be 16 lowercase hex characters or null");
        }
        if (span.startTime() == null) {
            return problem("startTime", "is required (ISO-8601, e.g. 2026-11-27T10:00:00Z)");
        }
        if (span.endTime() != null && span.endTime().isBefore(span.startTime())) {
            return problem("endTime", "is before startTime");
        }
        if (negative(span.latencyMs())) {
            return problem("latencyMs", "must not be negative");
        }
        if (negative(span.timeToFirstTokenMs())) {
            return problem("timeToFirstTokenMs", "must not be negative");
        }
        if (negative(span.inputTokens())) {
            return problem("inputTokens", "must not be negative");
        }
        if (negative(span.outputTokens())) {
            return problem("outputTokens", "must not be negative");
        }
        if (negative(span.cachedInputTokens())) {
            return problem("cachedInputTokens", "must not be negative");
        }
        if (negative(span.reasoningTokens())) {
            return problem("reasoningTokens", "must not be negative");
        }
        if (span.costUsd() != null && span.costUsd().signum() < 0) {
            return problem("costUsd", "must not be negative");
        }
        for (String[] field : new String[][]{{"feature", span.feature()}, {"sessionId", span.sessionId()},
                {"userId", span.userId()}, {"decisionId", span.decisionId()}, {"model", span.model()},
                {"provider", span.provider()}, {"toolName", span.toolName()}, {"name", span.name()}}) {
            if (field[1] != null && field[1].length() > MAX_TEXT_ID) {
                return problem(field[0], "is longer than " + MAX_TEXT_ID + " characters");
            }
            if (field[1] != null && field[1].chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                return problem(field[0], "must not contain control characters");
            }
        }
        return Optional.empty();
    }

    private static boolean negative(Long value) {
        return value != null && value < 0;
    }

    private static Optional<FieldProblem> problem(String field, String reason) {
        return Optional.of(new FieldProblem(field, reason));
    }
}
