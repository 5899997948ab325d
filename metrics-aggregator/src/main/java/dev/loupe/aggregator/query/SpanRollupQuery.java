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
 * Span metrics from the span rollups: fetches the rows of the request's cover (or of its buckets) and
 * aggregates them in Java by point time and group, merging latency sketches. Rates whose numerator is
 * split by {@code errorType} or {@code status} keep the whole group as denominator, so "error rate by
 * type" sums to the error rate.
 */
@ApplicationScoped
public class SpanRollupQuery {
    static final Map<String, String> COLUMNS = Map.of("feature", "feature", "model", "model", "kind", "kind",
            "status", "status", "errorType", "error_type", "tool", "tool_name");

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

        void add(Row r, boolean withSketch) {
            long n = r.getLong("span_count");
            count += n;
            String status = r.getString("status");
            errors += "ERROR".equals(status) ? n : 0;
            truncated += "TRUNCATED".equals(status) ? n : 0;
            structured += r.getLong("structured_count");
            parseFailures += r.getLong("parse_failure_count");
            inputTokens += r.getLong("input_tokens");
            outputTokens += r.getLong("output_tokens");
            cost = cost.add(r.getBigDecimal("cost_usd"));
            if (withSketch) {
                var bytes = r.getBuffer("latency_sketch");
                if (bytes != null) {
                    if (sketch == null) {
                        sketch = LatencySketch.empty();
                    }
                    sketch.addEncoded(bytes.getBytes());
                }
            }
        }
    }

    /** Accumulated rows: per point time and group values, plus the denominators of split rates. */
    record Grouped(Map<Instant, Map<List<String>, Acc>> groups, Map<Instant, Map<List<String>, Acc>> denominators) {
    }

    public Uni<Grouped> fetch(MetricRequest request, String kindFilter) {
        List<TimeCover.Segment> segments = request.bucket()
                .map(g -> List.of(new TimeCover.Segment(g, g.floor(request.from()), g.ceil(request.to()))))
                .orElseGet(() -> TimeCover.of(request.from(), request.to()));
        boolean withSketch = request.metric().isLatency();
        List<String> splitDims = request.groupBy().stream().filter(d -> d.equals("errorType") || d.equals("status")).toList();
        Grouped grouped = new Grouped(new LinkedHashMap<>(), new LinkedHashMap<>());
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (TimeCover.Segment segment : segments) {
            chain = chain.chain(() -> query(request, segment, kindFilter, withSketch).invoke(rows -> {
                for (Row r : rows) {
                    Instant t = request.bucket().isPresent() ? r.getOffsetDateTime("bucket").toInstant() : request.from();
                    List<String> values = new ArrayList<>(request.groupBy().size());
                    List<String> denominatorValues = new ArrayList<>();
                    for (String d : request.groupBy()) {
                        values.add(r.getString(COLUMNS.get(d)));
                        if (!splitDims.contains(d)) {
                            denominatorValues.add(r.getString(COLUMNS.get(d)));
                        }
                    }
                    grouped.groups().computeIfAbsent(t, k -> new LinkedHashMap<>())
                            .computeIfAbsent(values, k -> new Acc()).add(r, withSketch);
                    if (!splitDims.isEmpty()) {
                        grouped.denominators().computeIfAbsent(t, k -> new LinkedHashMap<>())
                                .computeIfAbsent(denominatorValues, k -> new Acc()).add(r, false);
                    }
                }
            }).replaceWithVoid());
        }
        return chain.map(v -> grouped);
    }

    private Uni<io.vertx.mutiny.sqlclient.RowSet<Row>> query(MetricRequest request, TimeCover.Segment segment,
                                                             String kindFilter, boolean withSketch) {
        StringBuilder sql = new StringBuilder("select bucket, kind, feature, model, status, error_type, tool_name, "
                + "span_count, structured_count, parse_failure_count, input_tokens, output_tokens, cost_usd");
        if (withSketch) {
            sql.append(", latency_sketch");
        }
        sql.append(" from ").append(segment.granularity().table("span_rollup"))
                .append(" where project_id = $1 and bucket >= $2 and bucket < $3 and span_count <> 0");
        Tuple args = Tuple.of(request.projectId(), segment.from().atOffset(ZoneOffset.UTC),
                segment.to().atOffset(ZoneOffset.UTC));
        if (kindFilter != null && !request.filters().containsKey("kind")) {
            args.addValue(kindFilter);
            sql.append(" and kind = $").append(args.size());
        }
        for (Map.Entry<String, String> f : request.filters().entrySet()) {
            args.addValue(f.getValue());
            sql.append(" and ").append(COLUMNS.get(f.getKey())).append(" = $").append(args.size());
        }
        return pool.preparedQuery(sql.toString()).execute(args);
    }
}
