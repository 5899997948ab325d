package dev.loupe.aggregator.explore;

import dev.loupe.aggregator.spans.SpanAttribution;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The traces of a project, newest first, one row per root span ({@code parent_span_id is null}, found through the
 * V11 partial index on {@code (project_id, start_time)}), with sums over the trace's spans read through the trace
 * index for the rows of the page only. A trace whose root never arrived is not listed (its spans still are in search
 * and on its page). Filters on the trace as a whole (model, status, cost) are evaluated per root, newest first,
 * until the page is full: a filter that matches few traces of a long range reads more roots. Text is searched first
 * ({@link TextSearch#traceIds}), and the list keeps the traces found.
 */
@Singleton
public class TraceList {
    /** What the list is asked for; null fields do not filter. */
    public record Filter(
            String projectId,
            Instant from,
            Instant to,
            String feature,
            String model,
            String status,
            String userId,
            String sessionId,
            String promptVersion,
            String errorType,
            Long minLatencyMs,
            BigDecimal minCostUsd,
            List<String> traceIds,
            TraceCursor cursor,
            int limit) {}

    @RegisterForReflection
    public record Page(List<TraceSummary> traces, String nextCursor) {}

    private final Pool pool;

    public TraceList(Pool pool) {
        this.pool = pool;
    }

    public Uni<Page> page(Filter f) {
        Tuple args = Tuple.of(f.projectId(), f.from().atOffset(ZoneOffset.UTC), f.to().atOffset(ZoneOffset.UTC));
        StringBuilder sql = new StringBuilder("select spans.trace_id, spans.span_id, spans.name, spans.start_time,"
                + " spans.latency_ms, " + SpanAttribution.FEATURE + " as feature, " + SpanAttribution.USER
                + " as user_id, " + SpanAttribution.SESSION + " as session_id, a.spans, a.input_tokens,"
                + " a.output_tokens, a.cost_usd, a.errors, a.error_type, a.end_time, a.decisions,"
                + " coalesce((select array_agg(distinct fb.signal order by fb.signal) from telemetry.feedback fb"
                + " where fb.project_id = spans.project_id and fb.decision_id = any(a.decisions)), '{}') as feedback"
                + " from " + SpanAttribution.FROM
                + " cross join lateral (select count(*) as spans, coalesce(sum(s.input_tokens), 0) as input_tokens,"
                + " coalesce(sum(s.output_tokens), 0) as output_tokens, coalesce(sum(s.cost_usd), 0) as cost_usd,"
                + " count(*) filter (where s.status = 'ERROR') as errors,"
                + " min(s.error_type) filter (where s.status = 'ERROR') as error_type, max(s.end_time) as end_time,"
                + " coalesce(array_agg(distinct s.decision_id) filter (where s.decision_id is not null), '{}')"
                + " as decisions");
        if (f.model() != null) {
            args.addValue(f.model());
            sql.append(", bool_or(telemetry.span_model_key(s.request_model, s.model) = telemetry.model_key($")
                    .append(args.size())
                    .append(")) as has_model");
        }
        int promptVersion = 0;
        if (f.promptVersion() != null) {
            args.addValue(f.promptVersion());
            promptVersion = args.size();
            sql.append(", bool_or(s.metadata->>'promptVersion' = $")
                    .append(promptVersion)
                    .append(") as has_version");
        }
        if (f.errorType() != null) {
            args.addValue(f.errorType());
            sql.append(", bool_or(s.error_type = $").append(args.size()).append(") as has_error_type");
        }
        sql.append(" from telemetry.spans s where s.project_id = spans.project_id and s.trace_id = spans.trace_id"
                + " offset 0) a"
                + " where spans.project_id = $1 and spans.parent_span_id is null and spans.start_time >= $2"
                + " and spans.start_time < $3");
        if (f.cursor() != null) {
            args.addValue(f.cursor().time().atOffset(ZoneOffset.UTC));
            args.addValue(f.cursor().id());
            sql.append(" and (spans.start_time, spans.trace_id) < ($")
                    .append(args.size() - 1)
                    .append(", $")
                    .append(args.size())
                    .append(')');
        }
        equal(sql, args, SpanAttribution.FEATURE, f.feature());
        equal(sql, args, SpanAttribution.USER, f.userId());
        equal(sql, args, SpanAttribution.SESSION, f.sessionId());
        if (f.model() != null) {
            sql.append(" and a.has_model");
        }
        if ("error".equals(f.status())) {
            sql.append(" and a.errors > 0");
        } else if ("ok".equals(f.status())) {
            sql.append(" and a.errors = 0");
        }
        if (f.minLatencyMs() != null) {
            args.addValue(f.minLatencyMs());
            sql.append(" and spans.latency_ms >= $").append(args.size());
        }
        if (f.minCostUsd() != null) {
            args.addValue(f.minCostUsd());
            sql.append(" and a.cost_usd >= $").append(args.size());
        }
        if (f.promptVersion() != null) {
            // a span's promptVersion metadata (loupe.prompt.version, llm.prompt_template.version) or its decision's
            sql.append(
                            " and (a.has_version or exists (select 1 from telemetry.decisions d where d.project_id ="
                                    + " spans.project_id and d.decision_id = any(a.decisions) and d.record->>'promptVersion' = $")
                    .append(promptVersion)
                    .append("))");
        }
        if (f.errorType() != null) {
            sql.append(" and a.has_error_type");
        }
        if (f.traceIds() != null) {
            args.addValue(f.traceIds().toArray(String[]::new));
            sql.append(" and spans.trace_id = any($").append(args.size()).append(')');
        }
        args.addValue(f.limit() + 1);
        sql.append(" order by spans.start_time desc, spans.trace_id desc limit $")
                .append(args.size());
        return pool.preparedQuery(sql.toString()).execute(args).map(rows -> {
            List<TraceSummary> traces = new ArrayList<>();
            for (Row r : rows) {
                traces.add(summary(r));
            }
            var page = TraceCursor.cut(traces, f.limit(), t -> new TraceCursor(t.startTime(), t.traceId()));
            return new Page(page.rows(), page.next());
        });
    }

    private static void equal(StringBuilder sql, Tuple args, String expression, String value) {
        if (value != null) {
            args.addValue(value);
            sql.append(" and ").append(expression).append(" = $").append(args.size());
        }
    }

    private static TraceSummary summary(Row r) {
        Instant start = r.getOffsetDateTime("start_time").toInstant();
        Long duration = r.getLong("latency_ms");
        if (duration == null && r.getOffsetDateTime("end_time") != null) {
            duration = Math.max(0, r.getOffsetDateTime("end_time").toInstant().toEpochMilli() - start.toEpochMilli());
        }
        long errors = r.getLong("errors");
        return new TraceSummary(
                r.getString("trace_id"),
                r.getString("span_id"),
                r.getString("name"),
                start,
                duration,
                emptyToNull(r.getString("feature")),
                emptyToNull(r.getString("user_id")),
                emptyToNull(r.getString("session_id")),
                r.getLong("spans").intValue(),
                r.getLong("input_tokens"),
                r.getLong("output_tokens"),
                r.getBigDecimal("cost_usd"),
                errors > 0 ? "ERROR" : "SUCCESS",
                r.getString("error_type"),
                Arrays.asList(r.getArrayOfStrings("decisions")),
                Arrays.asList(r.getArrayOfStrings("feedback")));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
