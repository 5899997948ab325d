package dev.loupe.aggregator.rollup;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one span batch adds to a session rollup table ({@code session_rollup_1h} or {@code _1d}): per project,
 * bucket, session and shard, the spans, LLM calls, tokens and cost. A span counts under its own session, else its
 * trace's first seen one; when that arrives after the span, the span's sums move from '' to it (a signed delta).
 */
public final class SessionRollupDelta {
    /** One row; {@code sessionId} is '' for spans without a session. */
    public record Key(String projectId, Instant bucket, String sessionId, int shard) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::projectId)
                .thenComparing(Key::bucket)
                .thenComparing(Key::sessionId)
                .thenComparingInt(Key::shard);
    }

    /** Sums for one row. */
    public static final class Cell {
        public long spanCount;
        public long llmCount;
        public long inputTokens;
        public long outputTokens;
        public BigDecimal costUsd = BigDecimal.ZERO;
    }

    private static final String UPSERT = """
            insert into %s as t (project_id, bucket, session_id, shard, span_count, llm_count, input_tokens,
                                 output_tokens, cost_usd)
            select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::smallint[], $5::bigint[], $6::bigint[],
                                 $7::bigint[], $8::bigint[], $9::numeric[])
            on conflict (project_id, bucket, session_id, shard) do update set
                span_count = t.span_count + excluded.span_count, llm_count = t.llm_count + excluded.llm_count,
                input_tokens = t.input_tokens + excluded.input_tokens,
                output_tokens = t.output_tokens + excluded.output_tokens, cost_usd = t.cost_usd + excluded.cost_usd""";

    /** Sorted, so every transaction takes its row locks in the same order and two writers cannot deadlock. */
    private final Map<Key, Cell> cells = new TreeMap<>(Key.ORDER);

    private final Granularity granularity;

    public SessionRollupDelta(Granularity granularity) {
        if (granularity == Granularity.MINUTE) {
            throw new IllegalArgumentException("sessions are rolled up by hour and by day only");
        }
        this.granularity = granularity;
    }

    public Granularity granularity() {
        return granularity;
    }

    public void add(SpanFacts span) {
        apply(span, 1);
    }

    /** Takes a span away from the session it counted under, when it moves to its trace's session. */
    public void remove(SpanFacts span) {
        apply(span, -1);
    }

    private void apply(SpanFacts span, int sign) {
        Cell c = cells.computeIfAbsent(
                new Key(span.projectId(), granularity.floor(span.startTime()), span.sessionId(), span.shard()),
                k -> new Cell());
        c.spanCount += sign;
        c.llmCount += "LLM".equals(span.kind()) ? sign : 0;
        c.inputTokens += sign * span.inputTokens();
        c.outputTokens += sign * span.outputTokens();
        c.costUsd = sign > 0 ? c.costUsd.add(span.costUsd()) : c.costUsd.subtract(span.costUsd());
    }

    public Map<Key, Cell> cells() {
        return cells;
    }

    /** Adds the sums in one statement inside the caller's transaction. */
    public Uni<Void> apply(SqlConnection connection) {
        if (cells.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = cells.size();
        String[] project = new String[n];
        OffsetDateTime[] bucket = new OffsetDateTime[n];
        String[] session = new String[n];
        Short[] shard = new Short[n];
        Long[] spans = new Long[n];
        Long[] llm = new Long[n];
        Long[] input = new Long[n];
        Long[] output = new Long[n];
        Numeric[] cost = new Numeric[n];
        int i = 0;
        for (Map.Entry<Key, Cell> e : cells.entrySet()) {
            Key k = e.getKey();
            Cell c = e.getValue();
            project[i] = k.projectId();
            bucket[i] = k.bucket().atOffset(ZoneOffset.UTC);
            session[i] = k.sessionId();
            shard[i] = (short) k.shard();
            spans[i] = c.spanCount;
            llm[i] = c.llmCount;
            input[i] = c.inputTokens;
            output[i] = c.outputTokens;
            cost[i] = Numeric.create(c.costUsd);
            i++;
        }
        Tuple args = Tuple.tuple()
                .addValue(project)
                .addValue(bucket)
                .addValue(session)
                .addValue(shard)
                .addValue(spans)
                .addValue(llm)
                .addValue(input)
                .addValue(output)
                .addValue(cost);
        return connection
                .preparedQuery(UPSERT.formatted(granularity.table("session_rollup")))
                .execute(args)
                .replaceWithVoid();
    }
}
