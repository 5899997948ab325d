package dev.loupe.aggregator.explore;

import dev.loupe.aggregator.explore.SearchResource.Hit;
import dev.loupe.aggregator.spans.SpanAttribution;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Finds text in a project's spans (prompt, completion) and decisions (output), newest first, with the V11 indexes.
 *
 * <p>Spans are searched in two steps, because re-computing {@code to_tsvector} to recheck a row costs tens of
 * microseconds (docs/benchmarks.md, "Search"):
 *
 * <ol>
 *   <li><b>Walk</b>: the newest {@value #WALK} spans with text in the range (partial index
 *       {@code spans_text_time_idx}), filtered. A frequent word fills the page here in milliseconds.
 *   <li><b>Index</b>: when the walk neither filled the page nor covered the range, the GIN index alone, fenced
 *       ({@code offset 0}) so that its exact bitmap is not ANDed with the BRIN time index (which makes every page
 *       lossy and every row re-checked), then the range and the order. Used for rarer words, whose matches are few.
 * </ol>
 */
@Singleton
public class TextSearch {
    static final int WALK = 2000;

    private static final String SPAN_COLUMNS = "spans.trace_id, spans.span_id, spans.decision_id, spans.name,"
            + " spans.model, spans.status, spans.cost_usd, spans.start_time, spans.prompt, spans.completion, "
            + SpanAttribution.FEATURE + " as feature";
    /** $1 project, $2 from, $3 to, $4 query, $5 limit, [$6 feature]. */
    private static final String WALK_SQL = "select " + SPAN_COLUMNS + ", walked from (select w.*, count(*) over ()"
            + " as walked from (select * from telemetry.spans s where s.project_id = $1 and s.start_time >= $2 and"
            + " s.start_time < $3 and " + TextQuery.spanHasText("s") + " order by s.start_time desc limit " + WALK
            + ") w) spans" + SpanAttribution.joinTo() + " where " + TextQuery.spanVector("spans")
            + " @@ websearch_to_tsquery('simple', $4)";

    private static final String INDEX_SQL = "select " + SPAN_COLUMNS + ", 0::bigint as walked from (select * from"
            + " telemetry.spans s where s.project_id = $1 and " + TextQuery.spanHasText("s") + " and "
            + TextQuery.spanVector("s") + " @@ websearch_to_tsquery('simple', $4) offset 0) spans"
            + SpanAttribution.joinTo() + " where spans.start_time >= $2 and spans.start_time < $3";

    private final Pool pool;

    public TextSearch(Pool pool) {
        this.pool = pool;
    }

    /** Spans whose prompt or completion holds the text, newest first, at most {@code limit}. */
    public Uni<List<Hit>> spans(
            String projectId, TextQuery query, Instant from, Instant to, String feature, int limit) {
        Tuple args =
                Tuple.of(projectId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), query.text(), limit);
        String featureFilter = "";
        if (feature != null) {
            args.addValue(feature);
            featureFilter = " and " + SpanAttribution.FEATURE + " = $6";
        }
        String order = " order by spans.start_time desc, spans.span_id limit $5";
        String walk = WALK_SQL + featureFilter + order;
        String index = INDEX_SQL + featureFilter + order;
        return pool.preparedQuery(walk).execute(args).chain(rows -> {
            long walked = 0;
            for (Row r : rows) {
                walked = r.getLong("walked");
            }
            boolean done = rows.size() >= limit || (rows.size() > 0 && walked < WALK);
            if (done) {
                return Uni.createFrom().item(spanHits(rows, query));
            }
            return pool.preparedQuery(index).execute(args).map(more -> spanHits(more, query));
        });
    }

    /** Decisions whose output holds the text, newest first (the decisions' own time index keeps bitmaps exact). */
    public Uni<List<Hit>> decisions(
            String projectId, TextQuery query, Instant from, Instant to, String feature, int limit) {
        Tuple args =
                Tuple.of(projectId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), query.text(), limit);
        StringBuilder sql = new StringBuilder("select d.decision_id, d.trace_id, d.feature, d.model, d.status,"
                + " d.occurred_at, d.record->>'output' as output, d.record->>'costUsd' as cost_usd"
                + " from telemetry.decisions d where d.project_id = $1 and d.occurred_at >= $2 and d.occurred_at < $3"
                + " and " + TextQuery.decisionVector("d") + " @@ websearch_to_tsquery('simple', $4)");
        if (feature != null) {
            args.addValue(feature);
            sql.append(" and d.feature = $6");
        }
        sql.append(" order by d.occurred_at desc, d.decision_id limit $5");
        return pool.preparedQuery(sql.toString()).execute(args).map(rows -> {
            List<Hit> hits = new ArrayList<>();
            for (Row r : rows) {
                String cost = r.getString("cost_usd");
                hits.add(new Hit(
                        "decision",
                        "output",
                        r.getOffsetDateTime("occurred_at").toInstant(),
                        r.getString("trace_id"),
                        null,
                        r.getString("decision_id"),
                        null,
                        r.getString("feature"),
                        r.getString("model"),
                        r.getString("status"),
                        cost == null ? null : new BigDecimal(cost),
                        Snippet.of(r.getString("output"), query.words())));
            }
            return hits;
        });
    }

    /**
     * The traces where the text occurs (in a span, or in a decision of the trace), from the newest {@code limit}
     * matches of each kind: what the traces list filters on.
     */
    public Uni<List<String>> traceIds(String projectId, TextQuery query, Instant from, Instant to, int limit) {
        return spans(projectId, query, from, to, null, limit)
                .chain(spans -> decisions(projectId, query, from, to, null, limit)
                        .map(decisions -> {
                            LinkedHashSet<String> ids = new LinkedHashSet<>();
                            spans.forEach(h -> ids.add(h.traceId()));
                            decisions.stream().filter(h -> h.traceId() != null).forEach(h -> ids.add(h.traceId()));
                            return List.copyOf(ids);
                        }));
    }

    private static List<Hit> spanHits(RowSet<Row> rows, TextQuery query) {
        List<Hit> hits = new ArrayList<>();
        for (Row r : rows) {
            String prompt = r.getString("prompt");
            String completion = r.getString("completion");
            // the field where a word occurs: the completion when only it has one
            boolean inPrompt = prompt != null
                    && query.words().stream().anyMatch(w -> Snippet.find(prompt.toLowerCase(Locale.ROOT), w, 0) >= 0);
            boolean useCompletion = !inPrompt && completion != null;
            String feature = r.getString("feature");
            hits.add(new Hit(
                    "span",
                    useCompletion ? "completion" : "prompt",
                    r.getOffsetDateTime("start_time").toInstant(),
                    r.getString("trace_id"),
                    r.getString("span_id"),
                    r.getString("decision_id"),
                    r.getString("name"),
                    feature == null || feature.isEmpty() ? null : feature,
                    r.getString("model"),
                    r.getString("status"),
                    r.getBigDecimal("cost_usd"),
                    Snippet.of(useCompletion ? completion : prompt, query.words())));
        }
        return hits;
    }
}
