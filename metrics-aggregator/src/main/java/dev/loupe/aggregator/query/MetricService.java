package dev.loupe.aggregator.query;

import dev.loupe.aggregator.rollup.Granularity;
import dev.loupe.aggregator.rollup.LatencySketch;
import dev.loupe.aggregator.spans.SpanAttribution;
import dev.loupe.contracts.events.ModelKey;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Answers metric queries for the API and the metric windows alike, so a window and the chart behind it can
 * never disagree. Span metrics come from the span rollups (sketches merged in Java); sums by session from the
 * session rollups; raw spans answer the rest of what is grouped or filtered by user or session. Decision and
 * evaluation metrics come from their rollups (or raw evaluation rows for {@code dimension.<key>}); feedback
 * rates and judge disagreement from the raw facts.
 */
@ApplicationScoped
public class MetricService {
    static final Map<String, String> RAW_SPAN_COLUMNS = Map.of(
            "feature",
            SpanAttribution.FEATURE,
            "model",
            "telemetry.span_model_key(request_model, model)",
            "kind",
            "kind",
            "status",
            "status",
            "errorType",
            "coalesce(error_type, '')",
            "tool",
            "coalesce(tool_name, '')",
            "user",
            SpanAttribution.USER,
            "session",
            SpanAttribution.SESSION);
    static final Map<String, String> DECISION_COLUMNS =
            Map.of("feature", "feature", "model", "telemetry.model_key(model)", "status", "status");
    static final String CORRECTION_SIGNALS = "('INCORRECT', 'EDITED')";

    private final Pool pool;
    private final SpanRollupQuery spans;
    private final SessionRollupQuery sessionSums;

    public MetricService(Pool pool, SpanRollupQuery spans, SessionRollupQuery sessionSums) {
        this.pool = pool;
        this.spans = spans;
        this.sessionSums = sessionSums;
    }

    public Uni<MetricSeries> query(MetricRequest unkeyed, int limit) {
        MetricRequest request = withModelKey(unkeyed);
        Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> points = switch (request.metric()
                .source()) {
            case SPANS ->
                !usesRawSpans(request)
                        ? spanRollups(request)
                        : SessionRollupQuery.serves(request) ? sessionSums.fetch(request, limit) : rawSpans(request);
            case SESSIONS -> sessions(request);
            case DECISIONS ->
                sums(request, decisionRollups(request, "sum(decision_count)"), m -> point(m[0], (long) m[0]));
            case EVALS -> evals(request);
            case FEEDBACK -> feedback(request);
            case DISAGREEMENT -> disagreement(request);
        };
        return points.map(p -> assemble(request, p, limit));
    }

    /**
     * A {@code model} filter names a model key (docs/architecture.md#model-key); a dated name asks for its key, so
     * {@code model=gpt-4o-mini-2024-07-18} finds the calls counted under {@code gpt-4o-mini}.
     */
    static MetricRequest withModelKey(MetricRequest r) {
        String model = r.filters().get("model");
        if (model == null || model.equals(ModelKey.normalise(model))) {
            return r;
        }
        Map<String, String> filters = new LinkedHashMap<>(r.filters());
        filters.put("model", ModelKey.normalise(model));
        return new MetricRequest(r.projectId(), r.metric(), r.from(), r.to(), r.groupBy(), r.bucket(), filters);
    }

    private static boolean usesRawSpans(MetricRequest r) {
        return r.groupBy().contains("user")
                || r.groupBy().contains("session")
                || r.filters().containsKey("user")
                || r.filters().containsKey("session");
    }

    // ---- spans ----

    private Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> spanRollups(MetricRequest request) {
        Metric metric = request.metric();
        if (metric == Metric.DAILY_SPEND_USD) {
            return dailySpend(request);
        }
        String kind = switch (metric) {
            case REQUEST_COUNT,
                    ERROR_RATE,
                    TRUNCATION_RATE,
                    LATENCY_P50_MS,
                    LATENCY_P95_MS,
                    LATENCY_P99_MS,
                    LATENCY_SHIFT -> "LLM";
            case TOOL_ERROR_RATE -> "TOOL";
            default -> null;
        };
        return spans.fetch(request, kind).map(grouped -> {
            Map<List<String>, TreeMap<Instant, MetricSeries.Point>> out = new LinkedHashMap<>();
            grouped.groups()
                    .forEach((t, groups) -> groups.forEach((values, acc) -> {
                        SpanRollupQuery.Acc denominator = acc;
                        if (!grouped.denominators().isEmpty()) {
                            List<String> key = new ArrayList<>();
                            for (int i = 0; i < request.groupBy().size(); i++) {
                                String d = request.groupBy().get(i);
                                if (!d.equals("errorType") && !d.equals("status")) {
                                    key.add(values.get(i));
                                }
                            }
                            denominator = grouped.denominators().get(t).get(key);
                        }
                        MetricSeries.Point p = spanPoint(metric, t, acc, denominator);
                        if (p != null) {
                            out.computeIfAbsent(values, k -> new TreeMap<>()).put(t, p);
                        }
                    }));
            return out;
        });
    }

    private static MetricSeries.Point spanPoint(
            Metric metric, Instant t, SpanRollupQuery.Acc a, SpanRollupQuery.Acc den) {
        return switch (metric) {
            case REQUEST_COUNT -> new MetricSeries.Point(t, a.count, a.count, null);
            case ERROR_RATE, TOOL_ERROR_RATE -> ratio(t, a.errors, den.count);
            case TRUNCATION_RATE -> ratio(t, a.truncated, den.count);
            case COST_USD, DAILY_SPEND_USD -> new MetricSeries.Point(t, a.cost.doubleValue(), a.count, null);
            case INPUT_TOKENS -> new MetricSeries.Point(t, a.inputTokens, a.count, null);
            case OUTPUT_TOKENS -> new MetricSeries.Point(t, a.outputTokens, a.count, null);
            case PARSE_FAILURE_RATE -> ratio(t, a.parseFailures, a.structured);
            case LATENCY_P50_MS -> latency(t, a.sketch, 0.50);
            case LATENCY_P95_MS, LATENCY_SHIFT -> latency(t, a.sketch, 0.95);
            case LATENCY_P99_MS -> latency(t, a.sketch, 0.99);
            default -> throw new IllegalArgumentException(metric + " is not a span metric");
        };
    }

    private static MetricSeries.Point ratio(Instant t, long numerator, long denominator) {
        return denominator == 0 ? null : new MetricSeries.Point(t, (double) numerator / denominator, denominator, null);
    }

    private static MetricSeries.Point latency(Instant t, LatencySketch sketch, double q) {
        if (sketch == null || sketch.count() == 0) {
            return null;
        }
        double[] values = sketch.quantiles(0.50, 0.90, 0.95, 0.99, q);
        Map<String, Double> quantiles = new LinkedHashMap<>();
        quantiles.put("p50", values[0]);
        quantiles.put("p90", values[1]);
        quantiles.put("p95", values[2]);
        quantiles.put("p99", values[3]);
        return new MetricSeries.Point(t, values[4], sketch.count(), quantiles);
    }

    /** UTC day to date: per point, the spend from the start of its day to the end of the point. */
    private Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> dailySpend(MetricRequest request) {
        Instant dayStart = Granularity.DAY.floor(
                request.bucket().isPresent() ? request.from() : request.to().minusNanos(1));
        MetricRequest widened = new MetricRequest(
                request.projectId(),
                Metric.COST_USD,
                dayStart,
                request.to(),
                request.groupBy(),
                request.bucket(),
                request.filters());
        return spanRollups(widened).map(series -> {
            series.values().forEach(points -> {
                double running = 0;
                long samples = 0;
                Instant day = null;
                for (Map.Entry<Instant, MetricSeries.Point> e : new ArrayList<>(points.entrySet())) {
                    Instant pointDay = Granularity.DAY.floor(e.getKey());
                    if (!pointDay.equals(day)) {
                        day = pointDay;
                        running = 0;
                        samples = 0;
                    }
                    running += e.getValue().value();
                    samples += e.getValue().sampleSize();
                    if (request.bucket().isPresent()
                            && e.getKey().isBefore(request.bucket().get().floor(request.from()))) {
                        points.remove(e.getKey());
                    } else {
                        points.put(e.getKey(), new MetricSeries.Point(e.getKey(), running, samples, null));
                    }
                }
            });
            return series;
        });
    }

    private Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> rawSpans(MetricRequest request) {
        Metric metric = request.metric();
        SqlAggregate sql = SqlAggregate.from(SpanAttribution.FROM)
                .time("start_time", request.bucket().orElse(null), request.from())
                .dimensions(request.groupBy(), RAW_SPAN_COLUMNS)
                .measures(
                        "count(*) filter (where kind = 'LLM'), count(*) filter (where kind = 'LLM' and status = 'ERROR'), "
                                + "count(*), coalesce(sum(cost_usd), 0), coalesce(sum(input_tokens), 0), "
                                + "coalesce(sum(output_tokens), 0)")
                .where("project_id = ?", request.projectId())
                .range("start_time", rangeStart(request), rangeEnd(request))
                .filters(request.filters(), RAW_SPAN_COLUMNS);
        return sums(request, List.of(sql), m -> switch (metric) {
            case REQUEST_COUNT -> point(m[0], (long) m[0]);
            case ERROR_RATE -> m[0] == 0 ? null : point(m[1] / m[0], (long) m[0]);
            case COST_USD -> point(m[3], (long) m[2]);
            case INPUT_TOKENS -> point(m[4], (long) m[2]);
            case OUTPUT_TOKENS -> point(m[5], (long) m[2]);
            default -> throw new IllegalArgumentException(metric + " has no user or session breakdown");
        });
    }

    /**
     * The same metric over the same range and filters, once per dimension set ({@code groupBy} of {@code request}
     * is ignored): the answers {@link #query} gives for each set, in the order of {@code dimensionSets}. Tokens per
     * session reads the raw spans once for all the sets (the window closer asks for it overall and per feature
     * every minute; two scans of a minute of spans were its largest statements); other metrics query each set.
     */
    public Uni<List<MetricSeries>> queryEach(MetricRequest request, List<List<String>> dimensionSets, int limit) {
        List<MetricRequest> requests = new ArrayList<>(dimensionSets.size());
        for (List<String> set : dimensionSets) {
            requests.add(new MetricRequest(
                    request.projectId(),
                    request.metric(),
                    request.from(),
                    request.to(),
                    List.copyOf(set),
                    request.bucket(),
                    request.filters()));
        }
        if (request.metric().source() == Metric.Source.SESSIONS && requests.size() > 1) {
            List<MetricRequest> keyed =
                    requests.stream().map(MetricService::withModelKey).toList();
            return sessions(keyed.get(0), dimensionSets).map(bySet -> {
                List<MetricSeries> out = new ArrayList<>(keyed.size());
                for (int i = 0; i < keyed.size(); i++) {
                    out.add(assemble(keyed.get(i), bySet.get(i), limit));
                }
                return out;
            });
        }
        Uni<List<MetricSeries>> chain = Uni.createFrom().item(new ArrayList<>());
        for (MetricRequest r : requests) {
            chain = chain.chain(list -> query(r, limit).map(series -> {
                list.add(series);
                return list;
            }));
        }
        return chain;
    }

    /** Tokens per session: per point, the mean (and quantiles) of each session's input + output tokens. */
    private Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> sessions(MetricRequest request) {
        return sessions(request, List.of(request.groupBy())).map(bySet -> bySet.get(0));
    }

    /**
     * Tokens per session for several dimension sets in one scan: the spans are summed per session and per set
     * ({@code grouping sets}), then each set's sums are averaged; {@code grouping(…)} tells the sets' rows apart.
     * Answers one map per set, in the order given. {@code request}'s own {@code groupBy} is not used.
     */
    private Uni<List<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>>> sessions(
            MetricRequest request, List<List<String>> sets) {
        List<String> union = new ArrayList<>();
        sets.forEach(set -> set.stream().filter(d -> !union.contains(d)).forEach(union::add));
        SqlAggregate inner = SqlAggregate.from(SpanAttribution.FROM)
                .time("start_time", request.bucket().orElse(null), request.from())
                .alsoGroupBy(RAW_SPAN_COLUMNS.get("session"))
                .dimensionSets(union, sets, RAW_SPAN_COLUMNS)
                .measures("sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) as tokens")
                .where("project_id = ?", request.projectId())
                .where(RAW_SPAN_COLUMNS.get("session") + " <> ''")
                .range("start_time", rangeStart(request), rangeEnd(request))
                .filters(request.filters(), RAW_SPAN_COLUMNS);
        StringBuilder outer = new StringBuilder("select t, g");
        StringBuilder group = new StringBuilder(" group by t, g");
        for (int i = 0; i < union.size(); i++) {
            outer.append(", d").append(i);
            group.append(", d").append(i);
        }
        outer.append(", count(*) as n, avg(tokens)::float8 as mean, percentile_cont(array[0.5, 0.9, 0.95, 0.99]) "
                        + "within group (order by tokens) as q from (")
                .append(inner.sql())
                .append(") s")
                .append(group);
        Map<Integer, Integer> setOfGrouping = new HashMap<>();
        for (int s = 0; s < sets.size(); s++) {
            setOfGrouping.put(SqlAggregate.grouping(union, sets.get(s)), s);
        }
        return pool.preparedQuery(outer.toString()).execute(inner.args()).map(rows -> {
            List<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> out = new ArrayList<>(sets.size());
            sets.forEach(set -> out.add(new LinkedHashMap<>()));
            for (Row r : rows) {
                int s = setOfGrouping.get(r.getInteger("g"));
                Instant t = r.getOffsetDateTime("t").toInstant();
                Double[] q = r.getArrayOfDoubles("q");
                Map<String, Double> quantiles = new LinkedHashMap<>();
                quantiles.put("p50", q[0]);
                quantiles.put("p90", q[1]);
                quantiles.put("p95", q[2]);
                quantiles.put("p99", q[3]);
                List<String> values = new ArrayList<>(sets.get(s).size());
                for (String d : sets.get(s)) {
                    values.add(r.getString("d" + union.indexOf(d)));
                }
                out.get(s)
                        .computeIfAbsent(values, k -> new TreeMap<>())
                        .put(t, new MetricSeries.Point(t, r.getDouble("mean"), r.getLong("n"), quantiles));
            }
            return out;
        });
    }

    // ---- decisions, evaluations, feedback ----

    private static List<SqlAggregate> decisionRollups(MetricRequest request, String measures) {
        return rollupCover(request, "decision_rollup", DECISION_COLUMNS, measures, null);
    }

    private Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> evals(MetricRequest request) {
        boolean byDimension = request.groupBy().stream().anyMatch(d -> d.startsWith("dimension."))
                || request.filters().keySet().stream().anyMatch(d -> d.startsWith("dimension."));
        Map<String, String> filters = new LinkedHashMap<>(request.filters());
        filters.putIfAbsent("trigger", "SAMPLED");
        MetricRequest scoped = new MetricRequest(
                request.projectId(),
                request.metric(),
                request.from(),
                request.to(),
                request.groupBy(),
                request.bucket(),
                filters);
        Function<double[], MetricSeries.Point> value = request.metric() == Metric.EVAL_PASS_RATE
                ? m -> m[0] == 0 ? null : point(m[1] / m[0], (long) m[0])
                : m -> m[0] == 0 ? null : point(m[2] / m[0], (long) m[0]);
        if (!byDimension) {
            return sums(
                    scoped,
                    rollupCover(
                            scoped,
                            "eval_rollup",
                            evalColumns(scoped),
                            "sum(eval_count), sum(passed_count), sum(score_sum)",
                            null),
                    value);
        }
        SqlAggregate raw = SqlAggregate.from("telemetry.eval_results")
                .time("evaluated_at", request.bucket().orElse(null), request.from())
                .dimensions(request.groupBy(), evalColumns(scoped))
                .measures("count(*), count(*) filter (where passed), sum(score)")
                .where("project_id = ?", request.projectId())
                .range("evaluated_at", rangeStart(request), rangeEnd(request))
                .filters(filters, evalColumns(scoped));
        return sums(scoped, List.of(raw), value);
    }

    /** Evaluation dimensions: the rollup's columns, plus {@code dimension.<key>} read from the raw record. */
    static Map<String, String> evalColumns(MetricRequest request) {
        Map<String, String> columns = new HashMap<>(
                Map.of("feature", "coalesce(feature, '')", "evaluator", "evaluator", "trigger", "trigger"));
        List<String> names = new ArrayList<>(request.groupBy());
        names.addAll(request.filters().keySet());
        for (String name : names) {
            if (name.startsWith("dimension.")) {
                // the key was checked against MetricsResource.DIMENSION_KEY ([A-Za-z0-9_.-]), so quoting is safe
                columns.put(
                        name, "coalesce(record->'dimensions'->>'" + name.substring("dimension.".length()) + "', '')");
            }
        }
        return columns;
    }

    private Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> feedback(MetricRequest request) {
        String signal = request.metric() == Metric.CORRECTION_RATE
                ? "f.signal in " + CORRECTION_SIGNALS
                : "f.signal = 'THUMBS_DOWN'";
        SqlAggregate flagged = SqlAggregate.from("telemetry.feedback f join telemetry.decisions d "
                        + "on d.project_id = f.project_id and d.decision_id = f.decision_id")
                .time("f.occurred_at", request.bucket().orElse(null), request.from())
                .dimensions(request.groupBy(), Map.of("feature", "coalesce(d.feature, '')"))
                .measures("count(distinct f.decision_id)")
                .where("f.project_id = ?", request.projectId())
                .where(signal)
                .range("f.occurred_at", rangeStart(request), rangeEnd(request))
                .filters(request.filters(), Map.of("feature", "coalesce(d.feature, '')"));
        Uni<Map<Instant, Map<List<String>, double[]>>> numerators = sumRows(List.of(flagged));
        Uni<Map<Instant, Map<List<String>, double[]>>> denominators =
                sumRows(decisionRollups(request, "sum(decision_count)"));
        return numerators.chain(num -> denominators.map(den -> {
            Map<List<String>, TreeMap<Instant, MetricSeries.Point>> out = new LinkedHashMap<>();
            den.forEach((t, groups) -> groups.forEach((values, d) -> {
                double flaggedCount = num.getOrDefault(t, Map.of()).getOrDefault(values, new double[] {0})[0];
                if (d[0] > 0) {
                    out.computeIfAbsent(values, k -> new TreeMap<>())
                            .put(t, new MetricSeries.Point(t, Math.min(1.0, flaggedCount / d[0]), (long) d[0], null));
                }
            }));
            return out;
        }));
    }

    /** Of the decisions users marked incorrect or edited that a sampled evaluation judged, the share it passed. */
    private Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> disagreement(MetricRequest request) {
        Map<String, String> columns = Map.of("feature", "coalesce(e.feature, '')", "evaluator", "e.evaluator");
        SqlAggregate sql = SqlAggregate.from("telemetry.feedback f join telemetry.eval_results e "
                        + "on e.project_id = f.project_id and e.decision_id = f.decision_id")
                .time("f.occurred_at", request.bucket().orElse(null), request.from())
                .dimensions(request.groupBy(), columns)
                .measures("count(distinct f.decision_id), count(distinct f.decision_id) filter (where e.passed)")
                .where("f.project_id = ?", request.projectId())
                .where("f.signal in " + CORRECTION_SIGNALS)
                .where("e.trigger = 'SAMPLED'")
                .range("f.occurred_at", rangeStart(request), rangeEnd(request))
                .filters(request.filters(), columns);
        return sums(request, List.of(sql), m -> m[0] == 0 ? null : point(m[1] / m[0], (long) m[0]));
    }

    // ---- shared ----

    /** One aggregate per segment of the request's cover (or one over its buckets), all on one rollup family. */
    private static List<SqlAggregate> rollupCover(
            MetricRequest request, String prefix, Map<String, String> columns, String measures, String extra) {
        List<TimeCover.Segment> segments = request.bucket()
                .map(g -> List.of(new TimeCover.Segment(g, g.floor(request.from()), g.ceil(request.to()))))
                .orElseGet(() -> TimeCover.of(request.from(), request.to()));
        List<SqlAggregate> queries = new ArrayList<>();
        for (TimeCover.Segment s : segments) {
            SqlAggregate q = SqlAggregate.from(s.granularity().table(prefix))
                    .time("bucket", request.bucket().orElse(null), request.from())
                    .dimensions(request.groupBy(), columns)
                    .measures(measures)
                    .where("project_id = ?", request.projectId())
                    .range("bucket", s.from(), s.to())
                    .filters(request.filters(), columns);
            if (extra != null) {
                q.where(extra);
            }
            queries.add(q);
        }
        return queries;
    }

    private Uni<Map<List<String>, TreeMap<Instant, MetricSeries.Point>>> sums(
            MetricRequest request, List<SqlAggregate> queries, Function<double[], MetricSeries.Point> value) {
        return sumRows(queries).map(sums -> {
            Map<List<String>, TreeMap<Instant, MetricSeries.Point>> out = new LinkedHashMap<>();
            sums.forEach((t, groups) -> groups.forEach((values, m) -> {
                MetricSeries.Point p = value.apply(m);
                if (p != null) {
                    out.computeIfAbsent(values, k -> new TreeMap<>())
                            .put(t, new MetricSeries.Point(t, p.value(), p.sampleSize(), p.quantiles()));
                }
            }));
            return out;
        });
    }

    /** Runs the aggregates one after another and adds up their measures by point time and group. */
    private Uni<Map<Instant, Map<List<String>, double[]>>> sumRows(List<SqlAggregate> queries) {
        Map<Instant, Map<List<String>, double[]>> sums = new TreeMap<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (SqlAggregate q : queries) {
            chain = chain.chain(() -> pool.preparedQuery(q.sql())
                    .execute(q.args())
                    .invoke(rows -> {
                        for (Row r : rows) {
                            int dims = 0;
                            while (r.getColumnIndex("d" + dims) >= 0) {
                                dims++;
                            }
                            int measures = r.size() - 1 - dims;
                            double[] m = sums.computeIfAbsent(
                                            r.getOffsetDateTime("t").toInstant(), k -> new LinkedHashMap<>())
                                    .computeIfAbsent(groupValues(r, dims), k -> new double[measures]);
                            for (int i = 0; i < measures; i++) {
                                Object v = r.getValue(1 + dims + i);
                                m[i] += v == null ? 0 : ((Number) v).doubleValue(); // Long, Double or Numeric
                            }
                        }
                    })
                    .replaceWithVoid());
        }
        return chain.map(v -> sums);
    }

    private static List<String> groupValues(Row r, int dims) {
        List<String> values = new ArrayList<>(dims);
        for (int i = 0; i < dims; i++) {
            values.add(r.getString("d" + i));
        }
        return values;
    }

    private static MetricSeries.Point point(double value, long sampleSize) {
        return new MetricSeries.Point(null, value, sampleSize, null);
    }

    private static Instant rangeStart(MetricRequest r) {
        return r.bucket().map(g -> g.floor(r.from())).orElse(r.from());
    }

    private static Instant rangeEnd(MetricRequest r) {
        return r.bucket().map(g -> g.ceil(r.to())).orElse(r.to());
    }

    private static MetricSeries assemble(
            MetricRequest request, Map<List<String>, TreeMap<Instant, MetricSeries.Point>> points, int limit) {
        List<MetricSeries.Series> series = new ArrayList<>();
        points.forEach((values, byTime) -> {
            Map<String, String> group = new LinkedHashMap<>();
            for (int i = 0; i < request.groupBy().size(); i++) {
                String v = values.get(i);
                group.put(request.groupBy().get(i), v == null || v.isEmpty() ? null : v);
            }
            series.add(new MetricSeries.Series(group, new ArrayList<>(byTime.values())));
        });
        // largest total first, then by group; each key computed once per series, not per comparison (grouped by
        // session, tens of thousands of series: a stream and a map's toString per comparison took most of the call)
        List<Ranked> ranked = new ArrayList<>(series.size());
        for (MetricSeries.Series s : series) {
            ranked.add(new Ranked(
                    s,
                    -s.points().stream().mapToDouble(MetricSeries.Point::value).sum(),
                    s.group().toString()));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::key).thenComparing(Ranked::label));
        List<MetricSeries.Series> top = new ArrayList<>(Math.min(limit, ranked.size()));
        for (int i = 0; i < ranked.size() && i < limit; i++) {
            top.add(ranked.get(i).series());
        }
        return new MetricSeries(
                request.metric().label(),
                request.groupBy(),
                request.bucket().map(Granularity::label).orElse(null),
                top);
    }

    private record Ranked(MetricSeries.Series series, double key, String label) {}
}
