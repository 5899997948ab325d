package dev.loupe.aggregator.query;

import dev.loupe.aggregator.rollup.Granularity;
import dev.loupe.aggregator.spans.SpanAttribution;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sums by session ({@code groupBy=session}, or a {@code session} filter) from the session rollups: whole days and
 * hours of the range from {@code session_rollup_1d}/{@code _1h}, the rest at its edges from the raw spans, cut
 * exactly at {@code from} and {@code to} as the raw path did (there is no minute table: an edge holds at most an
 * hour of spans). The ranking and the limit happen in SQL, so a range
 * with tens of thousands of sessions sends only the top ones to Java.
 */
@ApplicationScoped
public class SessionRollupQuery {
    /** Additive metrics: their value for a range is the sum over any split of it. */
    static final Set<Metric> METRICS =
            EnumSet.of(Metric.REQUEST_COUNT, Metric.COST_USD, Metric.INPUT_TOKENS, Metric.OUTPUT_TOKENS);

    private static final String SUMS = "sum(span_count)::bigint as spans, sum(llm_count)::bigint as llm, "
            + "sum(input_tokens)::bigint as input, sum(output_tokens)::bigint as output, sum(cost_usd) as cost";

    private final Pool pool;

    public SessionRollupQuery(Pool pool) {
        this.pool = pool;
    }

    /** Whether this class answers {@code r}: an additive metric, session its only dimension, no minute buckets. */
    static boolean serves(MetricRequest r) {
        boolean onlySession = r.groupBy().stream().allMatch("session"::equals)
                && r.filters().keySet().stream().allMatch("session"::equals);
        boolean usesSession = r.groupBy().contains("session") || r.filters().containsKey("session");
        return METRICS.contains(r.metric())
                && onlySession
                && usesSession
                && r.bucket().map(g -> g != Granularity.MINUTE).orElse(true);
    }

    Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> fetch(MetricRequest request, int limit) {
        Query q = new Query(request);
        String sql = request.bucket().isPresent() ? q.bucketed(request.bucket().get(), limit) : q.whole(limit);
        return pool.preparedQuery(sql).execute(q.args).map(rows -> {
            Map<List<String>, TreeMap<Instant, MetricSeries.Point>> out = new LinkedHashMap<>();
            for (Row r : rows) {
                if (r.getLong("spans") == null) {
                    continue; // an ungrouped sum over no rows
                }
                Instant t =
                        request.bucket().isPresent() ? r.getOffsetDateTime("t").toInstant() : request.from();
                List<String> group = q.grouped ? List.of(r.getString("d0")) : List.of();
                out.computeIfAbsent(group, k -> new TreeMap<>()).put(t, point(request.metric(), t, r));
            }
            return out;
        });
    }

    private static MetricSeries.Point point(Metric metric, Instant t, Row r) {
        long spans = r.getLong("spans");
        return switch (metric) {
            case REQUEST_COUNT -> new MetricSeries.Point(t, r.getLong("llm"), r.getLong("llm"), null);
            case COST_USD -> new MetricSeries.Point(t, r.getBigDecimal("cost").doubleValue(), spans, null);
            case INPUT_TOKENS -> new MetricSeries.Point(t, r.getLong("input"), spans, null);
            case OUTPUT_TOKENS -> new MetricSeries.Point(t, r.getLong("output"), spans, null);
            default -> throw new IllegalArgumentException(metric + " is not summed by session");
        };
    }

    /** The SQL of one request; every value is a bind parameter. */
    private static final class Query {
        final MetricRequest request;
        final boolean grouped;
        final Tuple args = Tuple.tuple();
        final String project;

        Query(MetricRequest request) {
            this.request = request;
            this.grouped = request.groupBy().contains("session");
            this.project = bind(request.projectId());
        }

        /** One point per session for the whole range: the cover's rows (and raw edges) added up per session. */
        String whole(int limit) {
            List<String> parts = new ArrayList<>();
            for (TimeCover.Segment s : TimeCover.of(request.from(), request.to())) {
                // the edges come from raw spans, cut exactly at from and to (the cover rounds them out to minutes)
                parts.add(
                        s.granularity() == Granularity.MINUTE
                                ? rawSpans(later(s.from(), request.from()), earlier(s.to(), request.to()))
                                : rollup(s.granularity(), s.from(), s.to()));
            }
            String from = " from (" + String.join(" union all ", parts) + ") u";
            if (!grouped) {
                return "select " + SUMS + from;
            }
            return "select session_id as d0, " + SUMS + from + " group by session_id order by " + measure()
                    + " desc, session_id limit " + bind(limit);
        }

        /** Points per hour or day: the top sessions of the whole range, then their sums per bucket. */
        String bucketed(Granularity g, int limit) {
            String table = g.table("session_rollup");
            String where = " where project_id = " + project + " and bucket >= "
                    + bind(g.floor(request.from()).atOffset(ZoneOffset.UTC)) + " and bucket < "
                    + bind(g.ceil(request.to()).atOffset(ZoneOffset.UTC)) + sessionFilter("session_id");
            if (!grouped) {
                return "select bucket as t, " + SUMS + " from " + table + where + " group by bucket";
            }
            return "with top as (select session_id from " + table + where + " group by session_id order by "
                    + measure() + " desc, session_id limit " + bind(limit) + ") select bucket as t, session_id as d0, "
                    + SUMS + " from " + table + where + " and session_id in (select session_id from top)"
                    + " group by bucket, session_id";
        }

        private String rollup(Granularity g, Instant from, Instant to) {
            return "select session_id, span_count, llm_count, input_tokens, output_tokens, cost_usd from "
                    + g.table("session_rollup") + " where project_id = " + project + " and bucket >= "
                    + bind(from.atOffset(ZoneOffset.UTC)) + " and bucket < " + bind(to.atOffset(ZoneOffset.UTC))
                    + sessionFilter("session_id");
        }

        private String rawSpans(Instant from, Instant to) {
            return "select " + SpanAttribution.SESSION + " as session_id, count(*) as span_count, "
                    + "count(*) filter (where kind = 'LLM') as llm_count, coalesce(sum(input_tokens), 0)::bigint as "
                    + "input_tokens, coalesce(sum(output_tokens), 0)::bigint as output_tokens, coalesce(sum(cost_usd), 0) "
                    + "as cost_usd from " + SpanAttribution.FROM
                    + " where spans.project_id = " + project + " and start_time >= "
                    + bind(from.atOffset(ZoneOffset.UTC))
                    + " and start_time < " + bind(to.atOffset(ZoneOffset.UTC))
                    + sessionFilter(SpanAttribution.SESSION)
                    + " group by 1";
        }

        private static Instant later(Instant a, Instant b) {
            return a.isAfter(b) ? a : b;
        }

        private static Instant earlier(Instant a, Instant b) {
            return a.isBefore(b) ? a : b;
        }

        private String sessionFilter(String column) {
            String session = request.filters().get("session");
            return session == null ? "" : " and " + column + " = " + bind(session);
        }

        /** What sessions are ranked by: the metric's own sum. */
        private String measure() {
            return switch (request.metric()) {
                case REQUEST_COUNT -> "sum(llm_count)";
                case COST_USD -> "sum(cost_usd)";
                case INPUT_TOKENS -> "sum(input_tokens)";
                case OUTPUT_TOKENS -> "sum(output_tokens)";
                default -> throw new IllegalArgumentException(request.metric() + " is not summed by session");
            };
        }

        private String bind(Object value) {
            args.addValue(value);
            return "$" + args.size();
        }
    }
}
