package dev.loupe.e2e.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL settings a benchmark's figures depend on, named in its report: its version, whether it analyses
 * its tables by itself, its buffer pool, and how often its writes force a checkpoint (bin/loupe bench and soak set
 * autovacuum, max_wal_size and checkpoint_timeout for their run; issue 24).
 */
final class ServerSettings {
    static final String SQL = "select current_setting('server_version'), current_setting('autovacuum'), "
            + "current_setting('shared_buffers'), current_setting('max_wal_size'), "
            + "current_setting('checkpoint_timeout')";

    private ServerSettings() {}

    static String describe(Connection db) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery(SQL)) {
            r.next();
            return describe(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5));
        }
    }

    static String describe(
            String version, String autovacuum, String sharedBuffers, String maxWalSize, String checkpointTimeout) {
        return "PostgreSQL " + version + ", autovacuum " + autovacuum + ", shared_buffers " + sharedBuffers
                + ", max_wal_size " + maxWalSize + ", checkpoint_timeout " + checkpointTimeout;
    }
}
