package dev.loupe.aggregator.rollup;

import dev.loupe.contracts.events.ModelKey;
import dev.loupe.contracts.events.SpanRecord;
import io.vertx.mutiny.sqlclient.Row;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * What a rollup needs from one stored span: the columns returned by the insert (or by a re-attribution),
 * with the feature and session it counts under (its own or its trace's; '' when none) and its model key
 * ({@link ModelKey}: request model first, date suffix removed).
 */
public record SpanFacts(
        String projectId,
        Instant startTime,
        String kind,
        String feature,
        String model,
        String status,
        String errorType,
        String toolName,
        boolean structured,
        boolean parseFailed,
        long inputTokens,
        long outputTokens,
        long cachedInputTokens,
        long cacheWriteInputTokens,
        long reasoningTokens,
        BigDecimal costUsd,
        Long latencyMs,
        int shard,
        String sessionId) {

    /** The select list that {@link #fromRow} reads, for {@code returning} clauses. */
    public static final String COLUMNS = """
            project_id, start_time, kind, coalesce(rollup_feature, '') as rollup_feature,
            telemetry.span_model_key(request_model, model) as model,
            status, coalesce(error_type, '') as error_type, coalesce(tool_name, '') as tool_name,
            (parsed_output is not null or parse_error is not null) as structured, (parse_error is not null) as parse_failed,
            coalesce(input_tokens, 0) as input_tokens, coalesce(output_tokens, 0) as output_tokens,
            coalesce(cached_input_tokens, 0) as cached_input_tokens,
            coalesce(cache_write_input_tokens, 0) as cache_write_input_tokens, coalesce(reasoning_tokens, 0) as reasoning_tokens,
            coalesce(cost_usd, 0) as cost_usd, latency_ms, coalesce(rollup_shard, 0) as rollup_shard,
            coalesce(rollup_session, session_id, '') as session_id""";

    public static SpanFacts fromRow(Row r) {
        return new SpanFacts(
                r.getString("project_id"),
                r.getOffsetDateTime("start_time").toInstant(),
                r.getString("kind"),
                r.getString("rollup_feature"),
                r.getString("model"),
                r.getString("status"),
                r.getString("error_type"),
                r.getString("tool_name"),
                r.getBoolean("structured"),
                r.getBoolean("parse_failed"),
                r.getLong("input_tokens"),
                r.getLong("output_tokens"),
                r.getLong("cached_input_tokens"),
                r.getLong("cache_write_input_tokens"),
                r.getLong("reasoning_tokens"),
                r.getBigDecimal("cost_usd"),
                r.getLong("latency_ms"),
                r.getInteger("rollup_shard"),
                r.getString("session_id"));
    }

    /** The facts of a span as the insert stored it, {@code rollupFeature} and {@code rollupSession} as it decided. */
    public static SpanFacts of(SpanRecord s, String rollupFeature, String rollupSession, int shard) {
        boolean structured = (s.parsedOutput() != null && !s.parsedOutput().isNull()) || s.parseError() != null;
        return new SpanFacts(
                s.projectId(),
                s.startTime(),
                s.kind().name(),
                rollupFeature,
                ModelKey.of(s.requestModel(), s.model()),
                s.status().name(),
                s.errorType() == null ? "" : s.errorType(),
                s.toolName() == null ? "" : s.toolName(),
                structured,
                s.parseError() != null,
                orZero(s.inputTokens()),
                orZero(s.outputTokens()),
                orZero(s.cachedInputTokens()),
                orZero(s.cacheWriteInputTokens()),
                orZero(s.reasoningTokens()),
                s.costUsd() == null ? BigDecimal.ZERO : s.costUsd(),
                s.latencyMs(),
                shard,
                rollupSession == null ? "" : rollupSession);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    /** The same span counted under another feature. */
    public SpanFacts withFeature(String otherFeature) {
        return with(otherFeature, sessionId);
    }

    /** The same span counted under another session. */
    public SpanFacts withSession(String otherSession) {
        return with(feature, otherSession);
    }

    private SpanFacts with(String otherFeature, String otherSession) {
        return new SpanFacts(
                projectId,
                startTime,
                kind,
                otherFeature,
                model,
                status,
                errorType,
                toolName,
                structured,
                parseFailed,
                inputTokens,
                outputTokens,
                cachedInputTokens,
                cacheWriteInputTokens,
                reasoningTokens,
                costUsd,
                latencyMs,
                shard,
                otherSession);
    }

    public SpanRollupKey key(Granularity g) {
        return new SpanRollupKey(
                projectId, g.floor(startTime), kind, feature, model, status, errorType, toolName, shard);
    }
}
