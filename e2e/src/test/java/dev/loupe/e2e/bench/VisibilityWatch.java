package dev.loupe.e2e.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * Visibility, accepted → queryable, as the benchmarks measure it: traces the collector accepted wait here until all
 * their spans are in {@code telemetry.spans}. Each {@link #poll()} asks PostgreSQL once, by (project_id, trace_id) —
 * the index the trace API uses, so a poll does not scan the table it measures — and records accepted → seen for the
 * traces now complete. The caller polls every {@link #POLL_MILLIS} ms, so a figure is at most that much late.
 * {@link #accepted} may be called from any thread; {@link #poll()} and {@link #expire} from one.
 */
final class VisibilityWatch implements AutoCloseable {
    static final long POLL_MILLIS = 20;

    private record Waiting(long acceptedNanos, int spans) {}

    private final Connection db;
    private final PreparedStatement query;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final Histogram visible = new Histogram(600_000_000_000L, 3);

    VisibilityWatch(Connection db, String projectId) throws SQLException {
        this.db = db;
        this.query = db.prepareStatement("select trace_id, count(*) from telemetry.spans where project_id = ? "
                + "and trace_id = any(?) group by trace_id");
        query.setString(1, projectId);
    }

    /** The collector accepted {@code spans} spans of {@code traceId} at {@code acceptedNanos} (System.nanoTime). */
    void accepted(String traceId, int spans, long acceptedNanos) {
        waiting.put(traceId, new Waiting(acceptedNanos, spans));
    }

    /** Traces accepted and not yet seen whole. */
    int waiting() {
        return waiting.size();
    }

    /** One look at the database: records the traces now whole and returns how many. */
    int poll() throws SQLException {
        if (waiting.isEmpty()) {
            return 0;
        }
        Array ids = db.createArrayOf("text", waiting.keySet().toArray());
        query.setArray(2, ids);
        int seen = 0;
        try (ResultSet r = query.executeQuery()) {
            long now = System.nanoTime();
            while (r.next()) {
                Waiting w = waiting.get(r.getString(1));
                if (w == null || r.getInt(2) < w.spans()) {
                    continue; // part of the trace is not in yet
                }
                waiting.remove(r.getString(1));
                visible.recordValue(Math.max(0, now - w.acceptedNanos()));
                seen++;
            }
        } finally {
            ids.free();
        }
        return seen;
    }

    /** Gives up on the traces accepted before {@code acceptedBeforeNanos}; returns how many (never seen: lost). */
    int expire(long acceptedBeforeNanos) {
        int lost = 0;
        for (Map.Entry<String, Waiting> e : waiting.entrySet()) {
            if (e.getValue().acceptedNanos() - acceptedBeforeNanos < 0 && waiting.remove(e.getKey(), e.getValue())) {
                lost++;
            }
        }
        return lost;
    }

    /** Accepted → seen whole, in nanoseconds, of every trace seen so far. */
    Histogram visible() {
        return visible;
    }

    @Override
    public void close() throws SQLException {
        query.close();
    }
}
