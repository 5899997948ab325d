package dev.loupe.aggregator.query;

import dev.loupe.aggregator.rollup.LatencySketch;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Span metrics from the span rollups: sums the rows of the request's cover (or of its buckets) in SQL by
 * point time and group, then merges each group's latency sketches in Java. Rates whose numerator is
 * split by {@code errorType} or {@code status} keep the whole group as denominator, so "error rate by
 * type" sums to the error rate.
 */
@ApplicationScoped
public class SpanRollupQuery {
    static final Map<String, String> COLUMNS = Map.of(
            "feature",
            "feature",
            "model",
            "telemetry.model_key(model)", // rows written before V8 hold the name the span carried
            "kind",
            "kind",
            "status",
            "status",
            "errorType",
            "error_type",
            "tool",
            "tool_name");

    private final Pool pool;

    public SpanRollupQuery(Pool pool) {
        this.pool = pool;
    }

    /** Sums of one (point, group). */
    static final class Acc {
        long count;
        long errors;
        long truncated;
        long structured;
        long parseFailures;
        long inputTokens;
        long outputTokens;
        BigDecimal cost = BigDecimal.ZERO;
        LatencySketch sketch;

        /** Adds one grouped row of {@link #query}. */
        void add(Row r, boolean withSketch) {
            count += r.getLong("span_count");
            errors += r.getLong("errors");
            truncated += r.getLong("truncated");
            structured += r.getLong("structured");
            parseFailures += r.getLong("parse_failures");
            inputTokens += r.getLong("input_tokens");
            outputTokens += r.getLong("output_tokens");
            cost = cost.add(r.getBigDecimal("cost_usd"));
            if (withSketch) {
                io.vertx.core.buffer.Buffer[] sketches =
                        r.getDelegate().getArrayOfBuffers(r.getColumnIndex("sketches"));
                if (sketches != null) {
                    if (sketch == null) {
                        sketch = LatencySketch.empty();
                    }
                    for (var bytes : sketches) {
                        sketch.addEncoded(bytes.getBytes());
                    }
                }
            }
        }
    }

    /** Accumulated rows: per point time and group values, plus the denominators of split rates. */
    record Grouped(Map<Instant, Map<List<String>, Acc>> groups, Map<Instant, Map<List<String>, Acc>> denominators) {}

    public Uni<Grouped> fetch(MetricRequest request, String kindFilter) {
        List<TimeCover.Segment> segments = request.bucket()
                .map(g -> List.of(new TimeCover.Segment(g, g.floor(request.from()), g.ceil(request.to()))))
                .orElseGet(() -> TimeCover.of(request.from(), request.to()));
        boolean withSketch = request.metric().isLatency();
        List<String> splitDims = request.groupBy().stream()
                .filter(d -> d.equals("errorType") || d.equals("status"))
                .toList();
        Grouped grouped = new Grouped(new LinkedHashMap<>(), new LinkedHashMap<>());
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (TimeCover.Segment segment : segments) {
            chain = chain.chain(() -> query(request, segment, kindFilter, withSketch)
                    .invoke(rows -> {
                        for (Row r : rows) {
                            if (r.getLong("span_count") == null) {
                                continue; // an ungrouped sum over no rows
                            }
                            Instant t = request.bucket().isPresent()
                                    ? r.getOffsetDateTime("bucket").toInstant()
                                    : request.from();
                            List<String> values =
                                    new ArrayList<>(request.groupBy().size());
                            List<String> denominatorValues = new ArrayList<>();
                            for (int i = 0; i < request.groupBy().size(); i++) {
                                String value = r.getString("d" + i);
                                values.add(value);
                                if (!splitDims.contains(request.groupBy().get(i))) {
                                    denominatorValues.add(value);
                                }
                            }
                            grouped.groups()
                                    .computeIfAbsent(t, k -> new LinkedHashMap<>())
                                    .computeIfAbsent(values, k -> new Acc())
                                    .add(r, withSketch);
                            if (!splitDims.isEmpty()) {
                                grouped.denominators()
                                        .computeIfAbsent(t, k -> new LinkedHashMap<>())
                                        .computeIfAbsent(denominatorValues, k -> new Acc())
                                        .add(r, false);
                            }
                        }
                    })
                    .replaceWithVoid());
        }
        return chain.map(v -> grouped);
    }

    /**
     * One segment's rows grouped in SQL by point and requested dimensions (shards and the other dimensions
     * add up there), the sketches of a group collected into one array for Java to merge.
     */
    private Uni<io.vertx.mutiny.sqlclient.RowSet<Row>> query(
            MetricRequest request, TimeCover.Segment segment, String kindFilter, boolean withSketch) {
        boolean bucketed = request.bucket().isPresent();
        StringBuilder select = new StringBuilder("select ");
        StringBuilder group = new StringBuilder();
        if (bucketed) {
            select.append("bucket, ");
            group.append("bucket");
        }
        for (int i = 0; i < request.groupBy().size(); i++) {
            select.append(COLUMNS.get(request.groupBy().get(i)))
                    .append(" as d")
                    .append(i)
                    .append(", ");
            group.append(group.isEmpty() ? "" : ", ").append("d").append(i);
        }
        select.append("sum(span_count)::bigint as span_count, ")
                .append("coalesce(sum(span_count) filter (where status = 'ERROR'), 0)::bigint as errors, ")
                .append("coalesce(sum(span_count) filter (where status = 'TRUNCATED'), 0)::bigint as truncated, ")
                .append(
                        "sum(structured_count)::bigint as structured, sum(parse_failure_count)::bigint as parse_failures, ")
                .append("sum(input_tokens)::bigint as input_tokens, sum(output_tokens)::bigint as output_tokens, ")
                .append("sum(cost_usd) as cost_usd");
        if (withSketch) {
            select.append(", array_agg(latency_sketch) filter (where latency_sketch is not null) as sketches");
        }
        select.append(" from ")
                .append(segment.granularity().table("span_rollup"))
                .append(" where project_id = $1 and bucket >= $2 and bucket < $3 and span_count <> 0");
        Tuple args = Tuple.of(
                request.projectId(),
                segment.from().atOffset(ZoneOffset.UTC),
                segment.to().atOffset(ZoneOffset.UTC));
        if (kindFilter != null && !request.filters().containsKey("kind")) {
            args.addValue(kindFilter);
            select.append(" and kind = $").append(args.size());
        }
        for (Map.Entry<String, String> f : request.filters().entrySet()) {
            args.addValue(f.getValue());
            select.append(" and ")
                    .append(COLUMNS.get(f.getKey()))
                    .append(" = $")
                    .append(args.size());
        }
        if (!group.isEmpty()) {
            select.append(" group by ").append(group);
        }
        return pool.preparedQuery(select.toString()).execute(args);
    }
}
