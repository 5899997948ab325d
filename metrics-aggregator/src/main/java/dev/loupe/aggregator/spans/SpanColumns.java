package dev.loupe.aggregator.spans;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/** The mapping between {@link SpanRecord} and table {@code telemetry.spans}, in one place. */
public final class SpanColumns {
    /**
     * Inserts a whole batch from column arrays (one round trip, no per-row statement); the rollup feature,
     * user and session are the span's own or its trace's first seen (trace_features, looked up by primary key). Returns
     * the key, rollup feature and rollup session of the rows actually inserted.
     */
    static final String BATCH_INSERT = """
            insert into telemetry.spans (project_id, trace_id, span_id, parent_span_id, kind, name, provider, model,
                start_time, end_time, latency_ms, time_to_first_token_ms, input_tokens, output_tokens,
                cached_input_tokens, reasoning_tokens, cost_usd, prompt, completion, truncated, redactions,
                parsed_output, parse_error, status, error_type, error_message, feature, session_id, user_id,
                decision_id, tool_name, metadata, attributes, received_at, schema_version, request_model,
                cache_write_input_tokens, tool_arguments, tool_result, rollup_feature, rollup_user, rollup_session,
                rollup_shard)
            select u.project_id, u.trace_id, u.span_id, u.parent_span_id, u.kind, u.name, u.provider, u.model,
                u.start_time, u.end_time, u.latency_ms, u.time_to_first_token_ms, u.input_tokens, u.output_tokens,
                u.cached_input_tokens, u.reasoning_tokens, u.cost_usd, u.prompt, u.completion, u.truncated,
                u.redactions::jsonb, u.parsed_output::jsonb, u.parse_error, u.status, u.error_type, u.error_message,
                u.feature, u.session_id, u.user_id, u.decision_id, u.tool_name, u.metadata::jsonb, u.attributes::jsonb,
                u.received_at, u.schema_version, u.request_model, u.cache_write_input_tokens, u.tool_arguments,
                u.tool_result,
                coalesce(nullif(u.feature, ''), tf.feature, ''),
                coalesce(nullif(u.user_id, ''), tf.user_id, ''),
                coalesce(nullif(u.session_id, ''), tf.session_id, ''),
                u.rollup_shard
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::timestamptz[], $10::timestamptz[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[],
                $15::bigint[], $16::bigint[], $17::numeric[], $18::text[], $19::text[], $20::boolean[], $21::text[],
                $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[], $28::text[], $29::text[],
                $30::text[], $31::text[], $32::text[], $33::text[], $34::timestamptz[], $35::int[], $36::text[],
                $37::bigint[], $38::text[], $39::text[], $40::smallint[])
                as u(project_id, trace_id, span_id, parent_span_id, kind, name, provider, model, start_time, end_time,
                     latency_ms, time_to_first_token_ms, input_tokens, output_tokens, cached_input_tokens,
                     reasoning_tokens, cost_usd, prompt, completion, truncated, redactions, parsed_output, parse_error,
                     status, error_type, error_message, feature, session_id, user_id, decision_id, tool_name, metadata,
                     attributes, received_at, schema_version, request_model, cache_write_input_tokens, tool_arguments,
                     tool_result, rollup_shard)
            -- the trace's first seen feature, user and session: one primary-key lookup per span, pinned as such (a
            -- lateral subquery with offset 0 is never turned into a join that reads the whole table; issue 24)
            left join lateral (
                select t.feature, t.user_id, t.session_id from telemetry.trace_features t
                where t.project_id = u.project_id and t.trace_id = u.trace_id
                offset 0) tf on true
            on conflict (project_id, span_id, start_time) do nothing
            returning project_id, span_id, start_time, rollup_feature, rollup_session, rollup_shard""";

    public static final String SELECT = """
            select project_id, trace_id, span_id, parent_span_id, kind, name, provider, model, start_time, end_time,
                latency_ms, time_to_first_token_ms, input_tokens, output_tokens, cached_input_tokens,
                reasoning_tokens, cost_usd, prompt, completion, truncated, redactions::text as redactions,
                parsed_output::text as parsed_output, parse_error, status, error_type, error_message, feature,
                session_id, user_id, decision_id, tool_name, metadata::text as metadata,
                attributes::text as attributes, received_at, schema_version, request_model, cache_write_input_tokens,
                tool_arguments, tool_result
            from telemetry.spans""";

    /** Values per span in {@link #toTuple}, each one array of {@link #batchTuple}; the shard array follows. */
    private static final int COLUMNS = 39;

    private SpanColumns() {}

    /** One span's values in insert order; JSON columns travel as text and are cast in SQL. */
    static Tuple toTuple(SpanRecord s) {
        return Tuple.from(new Object[] {
            s.projectId(),
            s.traceId(),
            s.spanId(),
            s.parentSpanId(),
            s.kind().name(),
            s.name(),
            s.provider(),
            s.model(),
            time(s.startTime()),
            time(s.endTime()),
            s.latencyMs(),
            s.timeToFirstTokenMs(),
            s.inputTokens(),
            s.outputTokens(),
            s.cachedInputTokens(),
            s.reasoningTokens(),
            s.costUsd() == null ? null : Numeric.create(s.costUsd()),
            s.prompt(),
            s.completion(),
            s.truncated(),
            json(s.redactions()),
            json(s.parsedOutput()),
            s.parseError(),
            s.status().name(),
            s.errorType(),
            s.errorMessage(),
            s.feature(),
            s.sessionId(),
            s.userId(),
            s.decisionId(),
            s.toolName(),
            json(s.metadata()),
            json(s.attributes()),
            time(s.receivedAt()),
            s.schemaVersion(),
            s.requestModel(),
            s.cacheWriteInputTokens(),
            s.toolArguments(),
            s.toolResult()
        });
    }

    /** The batch as one array per column, in {@link #BATCH_INSERT}'s order. */
    static Tuple batchTuple(java.util.List<SpanRecord> spans, int[] shards) {
        int n = spans.size();
        Object[][] columns = new Object[COLUMNS][];
        for (int i = 0; i < n; i++) {
            Tuple row = toTuple(spans.get(i));
            for (int c = 0; c < COLUMNS; c++) {
                if (columns[c] == null) {
                    columns[c] = newArray(c, n);
                }
                columns[c][i] = row.getValue(c);
            }
        }
        Tuple tuple = Tuple.tuple();
        for (Object[] column : columns) {
            tuple.addValue(column);
        }
        Short[] shard = new Short[n];
        for (int i = 0; i < n; i++) {
            shard[i] = (short) shards[i];
        }
        return tuple.addValue(shard);
    }

    private static Object[] newArray(int column, int n) {
        return switch (column) {
            case 8, 9, 33 -> new OffsetDateTime[n];
            case 10, 11, 12, 13, 14, 15 -> new Long[n];
            case 16 -> new Numeric[n];
            case 19 -> new Boolean[n];
            case 34 -> new Integer[n];
            case 36 -> new Long[n];
            default -> new String[n];
        };
    }

    public static SpanRecord fromRow(Row r) {
        return new SpanRecord(
                r.getInteger("schema_version"),
                r.getString("project_id"),
                r.getString("trace_id"),
                r.getString("span_id"),
                r.getString("parent_span_id"),
                SpanKind.valueOf(r.getString("kind")),
                r.getString("name"),
                r.getString("provider"),
                r.getString("model"),
                r.getString("request_model"),
                instant(r, "start_time"),
                instant(r, "end_time"),
                r.getLong("latency_ms"),
                r.getLong("time_to_first_token_ms"),
                r.getLong("input_tokens"),
                r.getLong("output_tokens"),
                r.getLong("cached_input_tokens"),
                r.getLong("cache_write_input_tokens"),
                r.getLong("reasoning_tokens"),
                r.getBigDecimal("cost_usd"),
                r.getString("prompt"),
                r.getString("completion"),
                Boolean.TRUE.equals(r.getBoolean("truncated")),
                read(r.getString("redactions"), new TypeReference<Map<String, Integer>>() {}),
                read(r.getString("parsed_output"), new TypeReference<JsonNode>() {}),
                r.getString("parse_error"),
                Outcome.valueOf(r.getString("status")),
                r.getString("error_type"),
                r.getString("error_message"),
                r.getString("feature"),
                r.getString("session_id"),
                r.getString("user_id"),
                r.getString("decision_id"),
                r.getString("tool_name"),
                r.getString("tool_arguments"),
                r.getString("tool_result"),
                read(r.getString("metadata"), new TypeReference<Map<String, String>>() {}),
                read(r.getString("attributes"), new TypeReference<Map<String, Object>>() {}),
                instant(r, "received_at"));
    }

    /**
     * PostgreSQL keeps microseconds; OTLP and {@code Instant.now()} carry nanoseconds. Cut here, so the value stored
     * is the value {@link SpanBatchWriter} matches the inserted rows back to their records with.
     */
    static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    private static String json(Object value) {
        // a JSON null (decoded as NullNode) is stored as SQL NULL: "no structured output", not the value null;
        // an object SpanJson kept as its text is stored as that text, not built into a map and encoded again
        return value instanceof JsonNode node && node.isNull() ? null : EventJson.json(value);
    }

    private static <T> T read(String json, TypeReference<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return EventJson.mapper().readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
