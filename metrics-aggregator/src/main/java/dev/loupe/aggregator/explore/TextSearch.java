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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Finds text in a project's spans (prompt, completion) and decisions (output), newest first, with the V11 indexes.
 *
 * <p>Spans are searched in two steps, because re-computing {@code to_tsvector} to check a row costs tens of
 * microseconds (docs/benchmarks.md, "Search"):
 *
 * <ol>
 *   <li><b>Walk</b>: the newest spans with text in the range (partial index {@code spans_text_time_idx}), newest
 *       first, stopping at the page's last match. When every word of the query is required (no {@code or}, no
 *       {@code -word}), each row is first checked for the query's lexemes as substrings of its lower-cased text
 *       ({@code strpos}, about a microsecond), and only rows holding them all get the full-text check; the walk then
 *       covers up to {@code loupe.search.walk-spans} rows (10,000 by default). A query with {@code or} or a negation
 *       walks {@value #PLAIN_WALK} rows, each checked in full.
 *   <li><b>Index, day by day</b>: when the walk neither filled the page nor covered the range, the GIN index is
 *       asked for the query's matches on one UTC day (V12 indexes each span's day as a lexeme), newest day first,
 *       until the page is full or the range is done. Each step reads only that day's matches, from an exact bitmap:
 *       fenced ({@code offset 0}) so that it is not ANDed with the BRIN time index, which would make pages lossy and
 *       every row on them re-checked by re-computing its vector. What is left for this step are words too rare to fill
 *       a page within the walk, so a day holds few of their matches.
 * </ol>
 *
 * <p>The substring check is sound because every lexeme {@code to_tsvector('simple', text)} yields is a lower-cased
 * piece of the text, so a row the full-text check would accept always holds every required lexeme as a substring.
 */
@Singleton
public class TextSearch {
    /** The rows a walk without the substring check reads at most. */
    static final int PLAIN_WALK = 2000;

    private static final String SPAN_COLUMNS = "spans.trace_id, spans.span_id, spans.decision_id, spans.name,"
            + " spans.model, spans.status, spans.cost_usd, spans.start_time, spans.prompt, spans.completion, "
            + SpanAttribution.FEATURE + " as feature";

    /**
     * The newest rows of the walk: $1 project, $2 from, $3 to; {@code %d} the rows walked at most. Ordered exactly as
     * the search's answer, so PostgreSQL needs no sort above it and stops at the page's last match: with a sort it
     * checked every walked row, 3,000 full-text checks (~200 ms) for a word in 30 % of spans.
     */
    private static final String WALKED =
            "select * from telemetry.spans s where s.project_id = $1 and s.start_time >= $2"
                    + " and s.start_time < $3 and " + TextQuery.spanHasText("s")
                    + " order by s.start_time desc, s.span_id limit %d";

    /** $1 project, $2 from, $3 to, $4 query, $5 limit, [$6 feature], then the day's lexeme as tsquery text. */
    private static final String DAY_SQL = "select " + SPAN_COLUMNS + " from (select * from"
            + " telemetry.spans s where s.project_id = $1 and " + TextQuery.spanHasText("s") + " and "
            + TextQuery.spanVector("s") + " @@ (websearch_to_tsquery('simple', $4) && $%d::tsquery) offset 0) spans"
            + SpanAttribution.joinTo() + " where spans.start_time >= $2 and spans.start_time < $3";

    private final Pool pool;
    private final int walkSpans;

    public TextSearch(Pool pool, @ConfigProperty(name = "loupe.search.walk-spans") int walkSpans) {
        this.pool = pool;
        this.walkSpans = walkSpans;
    }

    /** The rows a walk with the substring check reads at most ({@code loupe.search.walk-spans}). */
    public int walkSpans() {
        return walkSpans;
    }

    /** Spans whose prompt or completion holds the text, newest first, at most {@code limit}. */
    public Uni<List<Hit>> spans(
            String projectId, TextQuery query, Instant from, Instant to, String feature, int limit) {
        Uni<List<String>> lexemes = query.conjunctive()
                ? pool.preparedQuery("select tsvector_to_array(to_tsvector('simple', $1)) as lexemes")
                        .execute(Tuple.of(query.text()))
                        .map(rows -> List.of(rows.iterator().next().getArrayOfStrings("lexemes")))
                : Uni.createFrom().item(List.of());
        return lexemes.chain(words -> walk(projectId, query, words, from, to, feature, limit));
    }

    private Uni<List<Hit>> walk(
            String projectId,
            TextQuery query,
            List<String> lexemes,
            Instant from,
            Instant to,
            String feature,
            int limit) {
        Tuple args = args(projectId, query, from, to, feature, limit);
        String featureFilter = feature == null ? "" : " and " + SpanAttribution.FEATURE + " = $6";
        int walked = lexemes.isEmpty() ? PLAIN_WALK : walkSpans;
        StringBuilder walk = new StringBuilder("select ")
                .append(SPAN_COLUMNS)
                .append(" from (")
                .append(WALKED.formatted(walked))
                .append(") spans")
                .append(SpanAttribution.joinTo())
                .append(" where ");
        Tuple walkArgs = args(projectId, query, from, to, feature, limit);
        for (String lexeme : lexemes) {
            walkArgs.addValue(lexeme);
            int n = walkArgs.size();
            walk.append("(strpos(lower(spans.prompt), $")
                    .append(n)
                    .append(") > 0 or strpos(lower(spans.completion), $")
                    .append(n)
                    .append(") > 0) and ");
        }
        walk.append(TextQuery.spanVector("spans"))
                .append(" @@ websearch_to_tsquery('simple', $4)")
                .append(featureFilter)
                .append(" order by spans.start_time desc, spans.span_id limit $5");
        String day = DAY_SQL.formatted(feature == null ? 6 : 7) + featureFilter
                + " order by spans.start_time desc, spans.span_id limit $5";
        return pool.preparedQuery(walk.toString()).execute(walkArgs).chain(rows -> {
            if (rows.size() >= limit) {
                return Uni.createFrom().item(spanHits(rows, query));
            }
            // did the walk read every span with text in the range? (an index-only count of at most `walked` rows)
            String covered = "select count(*) as n from (select 1 from telemetry.spans s where s.project_id = $1"
                    + " and s.start_time >= $2 and s.start_time < $3 and " + TextQuery.spanHasText("s")
                    + " limit " + walked + ") w";
            return pool.preparedQuery(covered)
                    .execute(Tuple.of(args.getValue(0), args.getValue(1), args.getValue(2)))
                    .chain(count -> count.iterator().next().getLong("n") < walked
                            ? Uni.createFrom().item(spanHits(rows, query))
                            : byDay(day, projectId, query, from, to, feature, limit, lastDay(to), new ArrayList<>()));
        });
    }

    /** The day of the range's last instant, from which the index is asked day by day, newest first. */
    private static long lastDay(Instant to) {
        return day(to.minusNanos(1));
    }

    /** A span's day as V12 indexes it: whole days since 1970, truncated toward zero as SQL's extract does. */
    static long day(Instant t) {
        return Duration.between(Instant.EPOCH, t).toDays();
    }

    /** Asks the index for {@code day}'s matches, then the day before, until the page is full or the range is done. */
    private Uni<List<Hit>> byDay(
            String sql,
            String projectId,
            TextQuery query,
            Instant from,
            Instant to,
            String feature,
            int limit,
            long day,
            List<Hit> found) {
        if (found.size() >= limit || day < day(from)) {
            return Uni.createFrom().item(found);
        }
        Tuple args = args(projectId, query, from, to, feature, limit - found.size());
        args.addValue(TextQuery.dayLexeme(day));
        return pool.preparedQuery(sql).execute(args).chain(rows -> {
            found.addAll(spanHits(rows, query));
            return byDay(sql, projectId, query, from, to, feature, limit, day - 1, found);
        });
    }

    /** $1 project, $2 from, $3 to, $4 query, $5 limit, [$6 feature]. */
    private static Tuple args(String projectId, TextQuery query, Instant from, Instant to, String feature, int limit) {
        Tuple args =
                Tuple.of(projectId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), query.text(), limit);
        if (feature != null) {
            args.addValue(feature);
        }
        return args;
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
