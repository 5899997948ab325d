package dev.loupe.collector.ingest;

import dev.loupe.common.http.FieldProblem;
import dev.loupe.contracts.wire.SpanInput;
import java.time.Instant;
import java.util.Optional;

/** Checks the fields of one span that Jackson's types cannot: ids, times, counts. */
public final class SpanValidator {
    private static final int MAX_TEXT_ID = 256;
    /** No single LLM call costs a million dollars; far below what the rollups' numeric(24, 10) can sum. */
    private static final java.math.BigDecimal MAX_COST_USD = java.math.BigDecimal.valueOf(1_000_000);

    private static final int MAX_COST_SCALE = 20;
    /** Times four-digit ISO years can write and PostgreSQL can store; latency in ms between them fits a long. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private SpanValidator() {}

    /** The first problem of the span, its field relative to the span. Hot path: plain loops, no regex. */
    public static Optional<FieldProblem> firstProblem(SpanInput span) {
        if (span.traceId() == null) {
            return problem("traceId", "is required");
        }
        if (!isId(span.traceId(), 32)) {
            return problem("traceId", "must be 32 lowercase hex characters, not all zero");
        }
        if (span.spanId() == null) {
            return problem("spanId", "is required");
        }
        if (!isId(span.spanId(), 16)) {
            return problem("spanId", "must be 16 lowercase hex characters, not all zero");
        }
        if (span.parentSpanId() != null && !isId(span.parentSpanId(), 16)) {
            return problem("parentSpanId", "must be 16 lowercase hex characters or null");
        }
        if (span.startTime() == null) {
            return problem("startTime", "is required (ISO-8601, e.g. 2026-11-27T10:00:00Z)");
        }
        if (outOfRange(span.startTime())) {
            return problem("startTime", "must be between years 0001 and 9999");
        }
        if (outOfRange(span.endTime())) {
            return problem("endTime", "must be between years 0001 and 9999");
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
        if (negative(span.cacheWriteInputTokens())) {
            return problem("cacheWriteInputTokens", "must not be negative");
        }
        if (negative(span.reasoningTokens())) {
            return problem("reasoningTokens", "must not be negative");
        }
        if (span.costUsd() != null && span.costUsd().signum() < 0) {
            return problem("costUsd", "must not be negative");
        }
        // numeric(24, 10) downstream: a cost it cannot hold would only reach the dead-letter topic (scale first:
        // it is cheap, and 1E-999999999 must not be rounded)
        if (span.costUsd() != null
                && (span.costUsd().scale() > MAX_COST_SCALE || span.costUsd().compareTo(MAX_COST_USD) > 0)) {
            return problem(
                    "costUsd",
                    "must be at most " + MAX_COST_USD.toPlainString() + " (USD for one span) with at most "
                            + MAX_COST_SCALE + " decimal places");
        }
        Optional<FieldProblem> text = textId("feature", span.feature());
        text = text.isPresent() ? text : textId("sessionId", span.sessionId());
        text = text.isPresent() ? text : textId("userId", span.userId());
        text = text.isPresent() ? text : textId("decisionId", span.decisionId());
        text = text.isPresent() ? text : textId("model", span.model());
        text = text.isPresent() ? text : textId("requestModel", span.requestModel());
        text = text.isPresent() ? text : textId("provider", span.provider());
        text = text.isPresent() ? text : textId("toolName", span.toolName());
        return text.isPresent() ? text : textId("name", span.name());
    }

    /** Lowercase hex of the given length, not all zeros (OTel's invalid id). */
    static boolean isId(String id, int length) {
        if (id.length() != length) {
            return false;
        }
        boolean nonZero = false;
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
            nonZero |= c != '0';
        }
        return nonZero;
    }

    /** Identifiers are short and printable: at most 256 characters, no control characters. */
    static Optional<FieldProblem> textId(String field, String value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.length() > MAX_TEXT_ID) {
            return problem(field, "is longer than " + MAX_TEXT_ID + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return problem(field, "must not contain control characters");
            }
        }
        return Optional.empty();
    }

    /** A time no consumer can store (and whose distance to another may overflow a long of milliseconds). */
    static boolean outOfRange(Instant time) {
        return time != null && (time.isBefore(EARLIEST) || time.isAfter(LATEST));
    }

    private static boolean negative(Long value) {
        return value != null && value < 0;
    }

    private static Optional<FieldProblem> problem(String field, String reason) {
        return Optional.of(new FieldProblem(field, reason));
    }
}
