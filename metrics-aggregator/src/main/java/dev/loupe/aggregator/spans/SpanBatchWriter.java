package dev.loupe.aggregator.spans;

import dev.loupe.aggregator.rollup.Granularity;
import dev.loupe.aggregator.rollup.SessionRollupDelta;
import dev.loupe.aggregator.rollup.SpanFacts;
import dev.loupe.aggregator.rollup.SpanRollupDelta;
import dev.loupe.aggregator.rollup.SpanRollupWriter;
import dev.loupe.aggregator.windows.WindowMarks;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.UnreadableRecordException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores a batch of spans and updates the 1m/1h/1d span rollups and the 1h/1d session rollups in one
 * transaction, from the rows the insert actually returned: a redelivered span inserts nothing and so adds
 * nothing. Feature attribution
 * (docs/architecture.md#feature-attribution): a span without a feature counts under the first feature seen on its trace; when that
 * feature arrives after the span (the root usually ends, and is exported, last), the stored span and its
 * rollup contribution move from "no feature" to it, in the same transaction.
 */
@ApplicationScoped
public class SpanBatchWriter {
    private static final String ATTRIBUTE_TRACES = """
            insert into telemetry.trace_features (project_id, trace_id, feature, trace_time)
            select distinct on (project_id, trace_id) project_id, trace_id, feature, start_time
            from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) as u(project_id, trace_id, feature, start_time)
            where feature is not null
            order by project_id, trace_id, start_time
            on conflict do nothing
            returning project_id, trace_id, feature, trace_time""";
    /**
     * Finds a trace's spans by the trace index only. A time-range condition here let the planner, whose
     * statistics always lag behind the newest data, pick the (project, time) index for "recent" spans and
     * scan a whole day of them per trace.
     */
    private static final String MOVE_TO_FEATURE = """
            update telemetry.spans s set rollup_feature = u.feature
            from unnest($1::text[], $2::text[], $3::text[]) as u(project_id, trace_id, feature)
            where s.project_id = u.project_id and s.trace_id = u.trace_id and s.rollup_feature = ''
            returning\s""" + SpanFacts.COLUMNS.replace("project_id", "s.project_id");

    private final Pool pool;

    public SpanBatchWriter(Pool pool) {
        this.pool = pool;
    }

    /** What one batch changed. */
    public record Outcome(int offered, List<SpanFacts> inserted, int moved) {}

    /** Stores {@code spans}, each counted in the rollup rows of its source partition ({@code shards}). */
    public Uni<Outcome> write(List<SpanRecord> spans, int[] shards) {
        return pool.withTransaction(connection -> write(connection, spans, shards));
    }

    private Uni<Outcome> write(SqlConnection connection, List<SpanRecord> spans, int[] shards) {
        List<SpanRollupDelta> deltas = List.of(
                new SpanRollupDelta(Granularity.MINUTE),
                new SpanRollupDelta(Granularity.HOUR),
                new SpanRollupDelta(Granularity.DAY));
        List<SessionRollupDelta> sessions =
                List.of(new SessionRollupDelta(Granularity.HOUR), new SessionRollupDelta(Granularity.DAY));
        WindowMarks marks = new WindowMarks();
        List<SpanFacts> inserted = new ArrayList<>();
        int[] moved = {0};
        return connection
                .preparedQuery(ATTRIBUTE_TRACES)
                .execute(traceTuple(spans))
                .chain(attributed -> moveToFeature(connection, attributed))
                .invoke(movedRows -> {
                    for (Row row : movedRows) {
                        SpanFacts now = SpanFacts.fromRow(row);
                        for (SpanRollupDelta d : deltas) {
                            d.remove(now.withFeature(""));
                            d.add(now);
                        }
                        marks.mark(now.projectId(), now.startTime(), now.shard());
                        moved[0]++;
                    }
                })
                .chain(() -> connection
                        .preparedQuery(SpanColumns.BATCH_INSERT)
                        .execute(SpanColumns.batchTuple(spans, shards)))
                .invoke(rows -> {
                    Map<String, SpanRecord> byKey = new HashMap<>(spans.size() * 2);
                    for (SpanRecord s : spans) {
                        byKey.put(key(s.projectId(), s.spanId(), s.startTime()), s);
                    }
                    for (Row row : rows) {
                        SpanRecord span = byKey.get(key(
                                row.getString("project_id"),
                                row.getString("span_id"),
                                row.getOffsetDateTime("start_time").toInstant()));
                        if (span == null) {
                            throw new UnreadableRecordException(
                                    "stored span " + row.getString("span_id") + " matches no record of its batch");
                        }
                        SpanFacts facts =
                                SpanFacts.of(span, row.getString("rollup_feature"), row.getShort("rollup_shard"));
                        inserted.add(facts);
                        deltas.forEach(d -> d.add(facts));
                        sessions.forEach(d -> d.add(facts));
                        marks.mark(facts.projectId(), facts.startTime(), facts.shard());
                    }
                })
                .chain(() -> SpanRollupWriter.apply(connection, deltas.get(0)))
                .chain(() -> SpanRollupWriter.apply(connection, deltas.get(1)))
                .chain(() -> SpanRollupWriter.apply(connection, deltas.get(2)))
                .chain(() -> sessions.get(0).apply(connection))
                .chain(() -> sessions.get(1).apply(connection))
                .chain(() -> marks.write(connection))
                .map(v -> new Outcome(spans.size(), inserted, moved[0]));
    }

    /** The start time as stored (microseconds), so a record with nanoseconds finds its inserted row. */
    private static String key(String projectId, String spanId, Instant start) {
        return projectId
                + '\u0000'
                + spanId
                + '\u0000'
                + SpanColumns.time(start).toInstant();
    }

    private static Uni<RowSet<Row>> moveToFeature(SqlConnection connection, RowSet<Row> attributed) {
        if (attributed.rowCount() == 0) {
            return Uni.createFrom().item(attributed);
        }
        List<String> project = new ArrayList<>();
        List<String> trace = new ArrayList<>();
        List<String> feature = new ArrayList<>();
        for (Row r : attributed) {
            project.add(r.getString("project_id"));
            trace.add(r.getString("trace_id"));
            feature.add(r.getString("feature"));
        }
        return connection
                .preparedQuery(MOVE_TO_FEATURE)
                .execute(Tuple.of(
                        project.toArray(String[]::new), trace.toArray(String[]::new), feature.toArray(String[]::new)));
    }

    private static Tuple traceTuple(List<SpanRecord> spans) {
        int n = spans.size();
        String[] project = new String[n];
        String[] trace = new String[n];
        String[] feature = new String[n];
        OffsetDateTime[] start = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            SpanRecord s = spans.get(i);
            project[i] = s.projectId();
            trace[i] = s.traceId();
            feature[i] = s.feature() == null || s.feature().isEmpty() ? null : s.feature();
            start[i] = s.startTime().atOffset(ZoneOffset.UTC);
        }
        return Tuple.of(project, trace, feature, start);
    }
}
