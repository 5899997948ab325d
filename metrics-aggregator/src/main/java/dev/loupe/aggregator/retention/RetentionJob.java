package dev.loupe.aggregator.retention;

import dev.loupe.common.sql.SlicedDelete;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Drops what is older than its retention. On TimescaleDB the hypertables lose whole chunks with
 * {@code drop_chunks} (Apache-2 edition, so it works on every licence; the scheduled policy API
 * {@code add_retention_policy} is community-only, hence this job). On plain PostgreSQL rows are deleted in
 * slices of 10,000 so no statement holds locks for long.
 */
@ApplicationScoped
public class RetentionJob {
    private static final Logger LOG = Logger.getLogger(RetentionJob.class);
    private static final int SLICE = 10_000;

    /** A table, its time column and which retention applies. */
    record Target(String table, String timeColumn, Kind kind, boolean hypertable) {}

    enum Kind {
        RAW,
        MINUTE,
        HOUR,
        DAY
    }

    static final List<Target> TARGETS = List.of(
            new Target("telemetry.spans", "start_time", Kind.RAW, true),
            new Target("telemetry.decisions", "occurred_at", Kind.RAW, true),
            new Target("telemetry.eval_results", "evaluated_at", Kind.RAW, true),
            new Target("telemetry.feedback", "occurred_at", Kind.RAW, true),
            new Target("telemetry.alert_events", "changed_at", Kind.RAW, true),
            new Target("telemetry.trace_features", "trace_time", Kind.RAW, false),
            new Target("telemetry.span_rollup_1m", "bucket", Kind.MINUTE, true),
            new Target("telemetry.decision_rollup_1m", "bucket", Kind.MINUTE, true),
            new Target("telemetry.eval_rollup_1m", "bucket", Kind.MINUTE, true),
            new Target("telemetry.window_marks", "window_start", Kind.MINUTE, false),
            new Target("telemetry.span_rollup_1h", "bucket", Kind.HOUR, true),
            new Target("telemetry.decision_rollup_1h", "bucket", Kind.HOUR, true),
            new Target("telemetry.eval_rollup_1h", "bucket", Kind.HOUR, true),
            new Target("telemetry.session_rollup_1h", "bucket", Kind.HOUR, true),
            new Target("telemetry.span_rollup_1d", "bucket", Kind.DAY, true),
            new Target("telemetry.decision_rollup_1d", "bucket", Kind.DAY, true),
            new Target("telemetry.eval_rollup_1d", "bucket", Kind.DAY, true),
            new Target("telemetry.session_rollup_1d", "bucket", Kind.DAY, true));

    private final Pool pool;
    private final RetentionConfig config;
    private final Clock clock;

    public RetentionJob(Pool pool, RetentionConfig config, Clock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(
            every = "${loupe.retention.interval:1h}",
            delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return run(clock.instant())
                .replaceWithVoid()
                .onFailure()
                .invoke(e -> LOG.warnf("retention failed, will retry at the next run: %s", e.toString()))
                .onFailure()
                .recoverWithNull();
    }

    /** Removes everything older than its retention at {@code now}; answers the number of rows removed. */
    public Uni<Long> run(Instant now) {
        return pool.query("select exists (select 1 from pg_extension where extname = 'timescaledb') as ts")
                .execute()
                .map(rows -> rows.iterator().next().getBoolean("ts"))
                .chain(timescale -> Multi.createFrom()
                        .iterable(TARGETS)
                        .onItem()
                        .transformToUniAndConcatenate(t -> {
                            Instant cutoff = now.minus(retention(t.kind()));
                            return timescale && t.hypertable() ? dropChunks(t, cutoff) : deleteRows(t, cutoff);
                        })
                        .collect()
                        .with(java.util.stream.Collectors.summingLong(Long::longValue)))
                .invoke(removed -> {
                    if (removed > 0) {
                        LOG.infof("retention removed %d rows older than their retention", removed);
                    }
                });
    }

    private Duration retention(Kind kind) {
        return switch (kind) {
            case RAW -> config.raw();
            case MINUTE -> config.minuteRollups();
            case HOUR -> config.hourRollups();
            case DAY -> config.dayRollups();
        };
    }

    private Uni<Long> dropChunks(Target t, Instant cutoff) {
        return pool.preparedQuery("select count(*) as n from drop_chunks($1::regclass, older_than => $2::timestamptz)")
                .execute(Tuple.of(t.table(), cutoff.atOffset(ZoneOffset.UTC)))
                .map(rows -> 0L);
    }

    private Uni<Long> deleteRows(Target t, Instant cutoff) {
        return SlicedDelete.run(
                pool, t.table(), t.timeColumn() + " < $1", Tuple.of(cutoff.atOffset(ZoneOffset.UTC)), SLICE);
    }
}
