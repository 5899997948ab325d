package dev.loupe.e2e;

import dev.loupe.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** What the aggregator stored for one project, read straight from PostgreSQL (not through the fault proxy). */
record StoredSpans(
        Map<String, Integer> copiesBySpanId,
        long rollup1m,
        long rollup1h,
        long rollup1d,
        long sessionRollup1h,
        long sessionRollup1d) {

    static StoredSpans of(TestDatabase database, String projectId) {
        try (Connection c = database.connect()) {
            Map<String, Integer> copies = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement(
                    "select span_id, count(*) from telemetry.spans where project_id = ? group by span_id")) {
                s.setString(1, projectId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        copies.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            return new StoredSpans(
                    copies,
                    sum(c, "telemetry.span_rollup_1m", projectId),
                    sum(c, "telemetry.span_rollup_1h", projectId),
                    sum(c, "telemetry.span_rollup_1d", projectId),
                    sum(c, "telemetry.session_rollup_1h", projectId),
                    sum(c, "telemetry.session_rollup_1d", projectId));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long sum(Connection c, String table, String projectId) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("select coalesce(sum(span_count), 0) from " + table + " where project_id = ?")) {
            s.setString(1, projectId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Distinct spans stored. */
    long distinct() {
        return copiesBySpanId.size();
    }

    /** Rows beyond the first of any span id: must be 0. */
    long duplicates() {
        return copiesBySpanId.values().stream().mapToLong(n -> n - 1).sum();
    }

    /** Every rollup table counts each stored span exactly once. */
    boolean rollupsMatchRows() {
        long rows =
                copiesBySpanId.values().stream().mapToLong(Integer::longValue).sum();
        return rollup1m == rows
                && rollup1h == rows
                && rollup1d == rows
                && sessionRollup1h == rows
                && sessionRollup1d == rows;
    }
}
