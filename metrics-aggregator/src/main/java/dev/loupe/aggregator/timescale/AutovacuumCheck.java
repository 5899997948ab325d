package dev.loupe.aggregator.timescale;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Warns at start-up, in one line, when the server will never analyse or vacuum the telemetry tables by itself.
 * Loupe's tables grow from empty at thousands of rows a second; without autovacuum the planner keeps the
 * statistics of an empty table, and the write path's joins degrade into scans of whole tables as they grow (issue
 * 24: on a server with {@code autovacuum = off}, {@code trace_features} was read whole 712 times in four minutes
 * of the soak, and a lookup by trace id read 29,000 pages). Loupe does not turn it on or analyse the tables
 * itself: that is the operator's server setting; the line says what to change.
 */
@ApplicationScoped
public class AutovacuumCheck {
    private static final Logger LOG = Logger.getLogger(AutovacuumCheck.class);
    static final String FACTS_SQL =
            "select current_setting('autovacuum') as autovacuum, current_setting('track_counts') as track_counts";

    private final Pool pool;

    public AutovacuumCheck(Pool pool) {
        this.pool = pool;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            Row row = pool.query(FACTS_SQL)
                    .execute()
                    .await()
                    .indefinitely()
                    .iterator()
                    .next();
            warning(row.getString("autovacuum"), row.getString("track_counts")).ifPresent(LOG::warn);
        } catch (RuntimeException e) {
            LOG.debugf("could not read the server's autovacuum setting: %s", e.toString());
        }
    }

    /** The warning for the server's {@code autovacuum} and {@code track_counts} settings, if one is due. */
    static Optional<String> warning(String autovacuum, String trackCounts) {
        boolean on = "on".equalsIgnoreCase(autovacuum);
        boolean counted = "on".equalsIgnoreCase(trackCounts);
        if (on && counted) {
            return Optional.empty();
        }
        String setting = on ? "track_counts = " + trackCounts : "autovacuum = " + autovacuum;
        return Optional.of("PostgreSQL runs with " + setting
                + ": the telemetry tables are never analysed or vacuumed automatically, so query plans degrade as "
                + "they grow (ingest slows down, lag builds up); turn it on: alter system set "
                + (on ? "track_counts" : "autovacuum") + " = on; select pg_reload_conf()");
    }
}
