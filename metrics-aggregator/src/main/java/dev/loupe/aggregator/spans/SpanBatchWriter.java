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
 * nothing. Feature, user and session attribution (docs/architecture.md#feature-attribution): a span without a
 * feature, user or session counts under the first one seen on its trace; when that arrives after the span (the root
 * usually ends, and is exported, last), the span's rollup contribution (span rollups for a feature, session rollups
 * for a session) moves from '' to it, in the same transaction. The stored span row is written once and never
 * updated: readers resolve its '' through {@link SpanAttribution}.
 */
@ApplicationScoped
public class SpanBatchWriter {
    /**
     * Records the first feature, user and session seen on each trace of the batch (per trace, the earliest span's
     * among those that carry one) where the trace has none yet, and returns, per trace, only what this statement
     * newly set: what stored spans may have to move to. {@code known} sees the rows as they were before the
     * upsert (one snapshot for the whole statement). {@code known} is a primary-key lookup per trace of the batch,
     * pinned as such ({@code lateral … offset 0} is never flattened into a join): as a plain join the planner, whose
     * row estimates lag a table that grows from empty, hashed the batch and read all of {@code trace_features} for
     * every batch, a cost that grows with the table (issue 24: in the first five minutes of a soak, this lookup and
     * the span insert's read the whole table 646 times, even with autovacuum on).
     */
    private static final String ATTRIBUTE_TRACES = """
            with u as (
                select project_id, trace_id,
                       (array_agg(feature order by start_time) filter (where feature is not null))[1] as feature,
                       (array_agg(user_id order by start_time) filter (where user_id is not null))[1] as user_id,
                       (array_agg(session_id order by start_time) filter (where session_id is not null))[1] as session_id,
                       min(start_time) as trace_time
                from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
                    as s(project_id, trace_id, feature, user_id, session_id, start_time)
                where feature is not null or user_id is not null or session_id is not null
                group by project_id, trace_id),
            known as (
                select tf.project_id, tf.trace_id, tf.feature, tf.user_id, tf.session_id
                from u cross join lateral (
                    select t.project_id, t.trace_id, t.feature, t.user_id, t.session_id from telemetry.trace_features t
                    where t.project_id = u.project_id and t.trace_id = u.trace_id
                    offset 0) tf),
            changed as (
                insert into telemetry.trace_features as t (project_id, trace_id, feature, user_id, session_id, trace_time)
                select project_id, trace_id, feature, user_id, session_id, trace_time from u
                on conflict (project_id, trace_id) do update set
                    feature = coalesce(t.feature, excluded.feature),
                    user_id = coalesce(t.user_id, excluded.user_id),
                    session_id = coalesce(t.session_id, excluded.session_id)
                where (t.feature is null and excluded.feature is not null)
                   or (t.user_id is null and excluded.user_id is not null)
                   or (t.session_id is null and excluded.session_id is not null)
                returning t.project_id, t.trace_id, t.feature, t.user_id, t.session_id)
            select c.project_id, c.trace_id,
                   case when k.feature is null then c.feature end as feature,
                   case when k.user_id is null then c.user_id end as user_id,
                   case when k.session_id is null then c.session_id end as session_id
            from changed c left join known k on k.project_id = c.project_id and k.trace_id = c.trace_id""";
    /**
     * The stored spans of the traces that just learnt a feature, user or session and that counted under none
     * ({@code ''}): their rollup contributions move to what was learnt. Read, not updated (issue 24): the span row
     * keeps {@code ''} and is read through {@link SpanAttribution}, which resolves it from {@code trace_features},
     * where the value is set once and for good. So a move happens exactly once, in the transaction that set it, and
     * a redelivered batch (which sets nothing) moves nothing. Finds a trace's spans by the trace index only: a
     * time-range condition here let the planner, whose statistics always lag behind the newest data, pick the
     * (project, time) index for "recent" spans and scan a whole day of them per trace; and the lookup is pinned as
     * one per trace ({@code lateral … offset 0}), never a join that reads the whole table. A span whose rollup column
     * is null (stored before V4 / V8) is not moved: it never counted under ''.
     */
    private static final String TO_MOVE = """
            select (u.new_feature is not null and s.rollup_feature = '') as feature_moved,
                   (u.new_session is not null and s.rollup_session = '') as session_moved,
                   u.new_feature, u.new_session,
            """ + SpanFacts.COLUMNS.replace("project_id", "s.project_id") + """

            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                as u(project_id, trace_id, new_feature, new_user, new_session)
            cross join lateral (
                select * from telemetry.spans t where t.project_id = u.project_id and t.trace_id = u.trace_id
                offset 0) s
            where (u.new_feature is not null and s.rollup_feature = '')
               or (u.new_user is not null and s.rollup_user = '')
               or (u.new_session is not null and s.rollup_session = '')""";

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
                .chain(attributed -> toMove(connection, attributed))
                .invoke(movedRows -> {
                    for (Row row : movedRows) {
                        SpanFacts before = SpanFacts.fromRow(row);
                        SpanFacts now = before;
                        if (row.getBoolean("feature_moved")) {
                            now = now.withFeature(row.getString("new_feature"));
                            for (SpanRollupDelta d : deltas) {
                                d.remove(before);
                                d.add(now);
                            }
                        }
                        if (row.getBoolean("session_moved")) {
                            SpanFacts from = now;
                            now = now.withSession(row.getString("new_session"));
                            for (SessionRollupDelta d : sessions) {
                                d.remove(from);
                                d.add(now);
                            }
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
                        SpanFacts facts = SpanFacts.of(
                                span,
                                row.getString("rollup_feature"),
                                row.getString("rollup_session"),
                                row.getShort("rollup_shard"));
                        inserted.add(facts);
                        deltas.forEach(d -> d.add(facts));
                        sessions.forEach(d -> d.add(facts));
                        marks.mark(facts.projectId(), facts.startTime(), facts.shard());
                    }
                })
                // the six writers touch disjoint tables: submitted together, the connection pipelines their
                // statements (in submission order, one transaction) instead of waiting a round trip for each
                .chain(() -> Uni.join()
                        .all(
                                SpanRollupWriter.apply(connection, deltas.get(0)),
                                SpanRollupWriter.apply(connection, deltas.get(1)),
                                SpanRollupWriter.apply(connection, deltas.get(2)),
                                sessions.get(0).apply(connection),
                                sessions.get(1).apply(connection),
                                marks.write(connection))
                        .andFailFast())
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

    private static Uni<RowSet<Row>> toMove(SqlConnection connection, RowSet<Row> attributed) {
        if (attributed.rowCount() == 0) {
            return Uni.createFrom().item(attributed);
        }
        List<String> project = new ArrayList<>();
        List<String> trace = new ArrayList<>();
        List<String> feature = new ArrayList<>();
        List<String> user = new ArrayList<>();
        List<String> session = new ArrayList<>();
        for (Row r : attributed) {
            project.add(r.getString("project_id"));
            trace.add(r.getString("trace_id"));
            feature.add(r.getString("feature"));
            user.add(r.getString("user_id"));
            session.add(r.getString("session_id"));
        }
        return connection
                .preparedQuery(TO_MOVE)
                .execute(Tuple.of(
                        project.toArray(String[]::new),
                        trace.toArray(String[]::new),
                        feature.toArray(String[]::new),
                        user.toArray(String[]::new),
                        session.toArray(String[]::new)));
    }

    private static Tuple traceTuple(List<SpanRecord> spans) {
        int n = spans.size();
        String[] project = new String[n];
        String[] trace = new String[n];
        String[] feature = new String[n];
        String[] user = new String[n];
        String[] session = new String[n];
        OffsetDateTime[] start = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            SpanRecord s = spans.get(i);
            project[i] = s.projectId();
            trace[i] = s.traceId();
            feature[i] = blankToNull(s.feature());
            user[i] = blankToNull(s.userId());
            session[i] = blankToNull(s.sessionId());
            start[i] = s.startTime().atOffset(ZoneOffset.UTC);
        }
        return Tuple.tuple()
                .addValue(project)
                .addValue(trace)
                .addValue(feature)
                .addValue(user)
                .addValue(session)
                .addValue(start);
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
