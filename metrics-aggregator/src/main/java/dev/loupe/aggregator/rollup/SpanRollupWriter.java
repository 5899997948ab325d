package dev.loupe.aggregator.rollup;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@link SpanRollupDelta} inside the caller's transaction: make sure every row exists, lock the
 * rows in key order, merge the latency sketches in Java (PostgreSQL cannot merge HdrHistograms), then add
 * the counts. Three statements per table, however many spans the batch held. Rows are per shard (the
 * spans' Kafka partition), so concurrent consumers lock disjoint rows.
 */
public final class SpanRollupWriter {
    private static final String KEYS = "project_id, bucket, kind, feature, model, status, error_type, tool_name, shard";
    private static final String UNNEST_KEYS = """
            unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::smallint[])
                as u(project_id, bucket, kind, feature, model, status, error_type, tool_name, shard)""";
    private static final String JOIN_KEYS = """
            t.project_id = u.project_id and t.bucket = u.bucket and t.kind = u.kind and t.feature = u.feature
            and t.model = u.model and t.status = u.status and t.error_type = u.error_type and t.tool_name = u.tool_name
            and t.shard = u.shard""";

    private SpanRollupWriter() {}

    public static Uni<Void> apply(SqlConnection connection, SpanRollupDelta delta) {
        if (delta.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String table = delta.granularity().table("span_rollup");
        List<SpanRollupKey> keys = new ArrayList<>(delta.cells().keySet());
        Tuple keyTuple = keyTuple(keys);
        String ensure =
                "insert into " + table + " (" + KEYS + ") select * from " + UNNEST_KEYS + " on conflict do nothing";
        String lock = "select t.project_id, t.bucket, t.kind, t.feature, t.model, t.status, t.error_type, t.tool_name, "
                + "t.shard, t.latency_sketch from " + UNNEST_KEYS + " join " + table + " t on " + JOIN_KEYS
                + " order by t.project_id, t.bucket, t.kind, t.feature, t.model, t.status, t.error_type, t.tool_name,"
                + " t.shard for update of t";
        String update = "update " + table + " t set span_count = t.span_count + u.span_count, "
                + "structured_count = t.structured_count + u.structured_count, "
                + "parse_failure_count = t.parse_failure_count + u.parse_failure_count, "
                + "input_tokens = t.input_tokens + u.input_tokens, output_tokens = t.output_tokens + u.output_tokens, "
                + "cached_input_tokens = t.cached_input_tokens + u.cached_input_tokens, "
                + "cache_write_input_tokens = t.cache_write_input_tokens + u.cache_write_input_tokens, "
                + "reasoning_tokens = t.reasoning_tokens + u.reasoning_tokens, cost_usd = t.cost_usd + u.cost_usd, "
                + "latency_count = t.latency_count + u.latency_count, latency_sum_ms = t.latency_sum_ms + u.latency_sum_ms, "
                + "latency_sketch = u.latency_sketch from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], "
                + "$5::text[], $6::text[], $7::text[], $8::text[], $9::smallint[], $10::bigint[], $11::bigint[], "
                + "$12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::numeric[], "
                + "$18::bigint[], $19::bigint[], $20::bytea[], $21::bigint[]) as u(project_id, bucket, kind, feature, model, "
                + "status, error_type, tool_name, shard, span_count, structured_count, parse_failure_count, input_tokens, "
                + "output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_count, latency_sum_ms, "
                + "latency_sketch, cache_write_input_tokens) where "
                + JOIN_KEYS;
        return connection
                .preparedQuery(ensure)
                .execute(keyTuple)
                .chain(() -> connection.preparedQuery(lock).execute(keyTuple))
                .chain(rows -> {
                    Map<SpanRollupKey, byte[]> stored = new HashMap<>();
                    for (Row r : rows) {
                        var sketch = r.getBuffer("latency_sketch");
                        stored.put(
                                new SpanRollupKey(
                                        r.getString("project_id"),
                                        r.getOffsetDateTime("bucket").toInstant(),
                                        r.getString("kind"),
                                        r.getString("feature"),
                                        r.getString("model"),
                                        r.getString("status"),
                                        r.getString("error_type"),
                                        r.getString("tool_name"),
                                        r.getShort("shard")),
                                sketch == null ? null : sketch.getBytes());
                    }
                    return connection.preparedQuery(update).execute(updateTuple(keys, delta, stored));
                })
                .replaceWithVoid();
    }

    private static Tuple keyTuple(List<SpanRollupKey> keys) {
        int n = keys.size();
        String[] project = new String[n];
        OffsetDateTime[] bucket = new OffsetDateTime[n];
        String[] kind = new String[n];
        String[] feature = new String[n];
        String[] model = new String[n];
        String[] status = new String[n];
        String[] errorType = new String[n];
        String[] tool = new String[n];
        Short[] shard = new Short[n];
        for (int i = 0; i < n; i++) {
            SpanRollupKey k = keys.get(i);
            project[i] = k.projectId();
            bucket[i] = k.bucket().atOffset(ZoneOffset.UTC);
            kind[i] = k.kind();
            feature[i] = k.feature();
            model[i] = k.model();
            status[i] = k.status();
            errorType[i] = k.errorType();
            tool[i] = k.toolName();
            shard[i] = (short) k.shard();
        }
        Tuple t = Tuple.tuple();
        t.addValue(project)
                .addValue(bucket)
                .addValue(kind)
                .addValue(feature)
                .addValue(model)
                .addValue(status)
                .addValue(errorType)
                .addValue(tool)
                .addValue(shard);
        return t;
    }

    private static Tuple updateTuple(
            List<SpanRollupKey> keys, SpanRollupDelta delta, Map<SpanRollupKey, byte[]> stored) {
        int n = keys.size();
        Long[][] longs = new Long[7][n];
        Numeric[] cost = new Numeric[n];
        Long[] latencyCount = new Long[n];
        Long[] latencySum = new Long[n];
        Buffer[] sketch = new Buffer[n];
        Long[] cacheWrite = new Long[n];
        for (int i = 0; i < n; i++) {
            SpanRollupKey k = keys.get(i);
            SpanRollupDelta.Cell c = delta.cells().get(k);
            longs[0][i] = c.spanCount;
            longs[1][i] = c.structuredCount;
            longs[2][i] = c.parseFailureCount;
            longs[3][i] = c.inputTokens;
            longs[4][i] = c.outputTokens;
            longs[5][i] = c.cachedInputTokens;
            longs[6][i] = c.reasoningTokens;
            cost[i] = Numeric.create(c.costUsd);
            latencyCount[i] = c.latencyCount;
            latencySum[i] = c.latencySumMs;
            byte[] merged = c.mergedSketch(stored.get(k));
            sketch[i] = merged == null ? null : Buffer.buffer(merged);
            cacheWrite[i] = c.cacheWriteInputTokens;
        }
        Tuple t = keyTuple(keys);
        for (int j = 0; j < 7; j++) {
            t.addValue(longs[j]);
        }
        t.addValue(cost)
                .addValue(latencyCount)
                .addValue(latencySum)
                .addValue(sketch)
                .addValue(cacheWrite);
        return t;
    }
}
