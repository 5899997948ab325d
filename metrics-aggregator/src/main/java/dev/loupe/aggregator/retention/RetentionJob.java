package dev.loupe.aggregator.retention;

import dev.loupe.aggregator.timescale.TimescaleDb;
import dev.loupe.common.jobs.PeriodClaim;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Drops what is older than its retention. On the TimescaleDB path ({@link TimescaleDb}) the tables that are
 * hypertables lose whole chunks with {@code <schema>.drop_chunks} (Apache-2 edition, so it works on every licence; the
 * scheduled policy API {@code add_retention_policy} is community-only, hence this job), which removes only chunks
 * entirely older than the cut-off; these are counted as chunks, not rows. Everything else (plain PostgreSQL, and the
 * tables that are never hypertables) loses rows in slices of 10,000 so no statement holds locks for long.
 */
@ApplicationScoped
public class RetentionJob {
    private static final Logger LOG = Logger.getLogger(RetentionJob.class);
    private static final int SLICE = 10_000;

    /** A table, its time column and which retention applies. */
    record Target(String table, String timeColumn, Kind kind) {}

    /** What one run removed: rows deleted, and chunks dropped whole (TimescaleDB path only; their rows are not counted). */
    public record Removed(long rows, long chunks) {
        static final Removed NONE = new Removed(0, 0);

        Removed plus(Removed other) {
            return new Removed(rows + other.rows, chunks + other.chunks);
        }
    }

    /**
     * How much longer than the raw spans a trace's first feature, user and session are kept: a stored span reads
     * them when it counts under '' ({@code SpanAttribution}), and on TimescaleDB a day's chunk of spans outlives
     * the cut-off by up to a day.
     */
    static final Duration TRACES_MARGIN = Duration.ofDays(2);

    enum Kind {
        RAW,
        TRACES,
        MINUTE,
        HOUR,
        DAY
    }

    static final List<Target> TARGETS = List.of(
            new Target("telemetry.spans", "start_time", Kind.RAW),
            new Target("telemetry.decisions", "occurred_at", Kind.RAW),
            new Target("telemetry.eval_results", "evaluated_at", Kind.RAW),
            new Target("telemetry.feedback", "occurred_at", Kind.RAW),
            new Target("telemetry.alert_events", "changed_at", Kind.RAW),
            new Target("telemetry.trace_features", "trace_time", Kind.TRACES),
            new Target("telemetry.span_rollup_1m", "bucket", Kind.MINUTE),
            new Target("telemetry.decision_rollup_1m", "bucket", Kind.MINUTE),
            new Target("telemetry.eval_rollup_1m", "bucket", Kind.MINUTE),
            new Target("telemetry.window_marks", "window_start", Kind.MINUTE),
            new Target("telemetry.span_rollup_1h", "bucket", Kind.HOUR),
            new Target("telemetry.decision_rollup_1h", "bucket", Kind.HOUR),
            new Target("telemetry.eval_rollup_1h", "bucket", Kind.HOUR),
            new Target("telemetry.session_rollup_1h", "bucket", Kind.HOUR),
            new Target("telemetry.span_rollup_1d", "bucket", Kind.DAY),
            new Target("telemetry.decision_rollup_1d", "bucket", Kind.DAY),
            new Target("telemetry.eval_rollup_1d", "bucket", Kind.DAY),
            new Target("telemetry.session_rollup_1d", "bucket", Kind.DAY));

    private final Pool pool;
    private final RetentionConfig config;
    private final Clock clock;
    private final TimescaleDb timescale;

    public RetentionJob(Pool pool, RetentionConfig config, Clock clock, TimescaleDb timescale) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
        this.timescale = timescale;
    }

    @Scheduled(
            every = "${loupe.retention.interval:1h}",
            delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        Instant now = clock.instant();
        return claimPeriod(now)
                .chain(mine ->
                        mine ? run(now).replaceWithVoid() : Uni.createFrom().voidItem())
                .onFailure()
                .invoke(e -> LOG.warnf("retention failed, will retry at the next run: %s", e.toString()))
                .onFailure()
                .recoverWithNull();
    }

    /**
     * Whether this replica runs retention for the period starting at {@code now}: the first replica to ask in a
     * period does ({@link PeriodClaim}), so N replicas delete once per period, not N times.
     */
    public Uni<Boolean> claimPeriod(Instant now) {
        Duration period = PeriodClaim.period(config.interval()).orElse(Duration.ofHours(1));
        return PeriodClaim.claim(pool, "telemetry.job_runs", "retention", now, period);
    }

    /** Removes everything older than its retention at {@code now}; answers what it removed. */
    public Uni<Removed> run(Instant now) {
        return hypertables()
                .chain(hypertables -> Multi.createFrom()
                        .iterable(TARGETS)
                        .onItem()
                        .transformToUniAndConcatenate(t -> {
                            Instant cutoff = now.minus(retention(t.kind()));
                            return hypertables.contains(t.table()) ? dropChunks(t, cutoff) : deleteRows(t, cutoff);
                        })
                        .collect()
                        .asList()
                        .map(each -> each.stream().reduce(Removed.NONE, Removed::plus)))
                .invoke(removed -> {
                    if (removed.rows() > 0 || removed.chunks() > 0) {
                        LOG.infof(
                                "retention removed %d rows and %d chunks older than their retention",
                                removed.rows(), removed.chunks());
                    }
                });
    }

    /** The telemetry tables that are hypertables: none unless telemetry runs on TimescaleDB. */
    private Uni<Set<String>> hypertables() {
        if (timescale.path().schema().isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.query("select 'telemetry.' || hypertable_name as t from timescaledb_information.hypertables "
                        + "where hypertable_schema = 'telemetry'")
                .execute()
                .map(rows -> {
                    Set<String> names = new HashSet<>();
                    rows.forEach(r -> names.add(r.getString("t")));
                    return names;
                });
    }

    private Duration retention(Kind kind) {
        return switch (kind) {
            case RAW -> config.raw();
            case TRACES -> config.raw().plus(TRACES_MARGIN);
            case MINUTE -> config.minuteRollups();
            case HOUR -> config.hourRollups();
            case DAY -> config.dayRollups();
        };
    }

    private Uni<Removed> dropChunks(Target t, Instant cutoff) {
        return pool.preparedQuery("select count(*) as n from " + timescale.function("drop_chunks")
                        + "($1::regclass, older_than => $2::timestamptz)")
                .execute(Tuple.of(t.table(), cutoff.atOffset(ZoneOffset.UTC)))
                .map(rows -> new Removed(0, rows.iterator().next().getLong("n")));
    }

    private Uni<Removed> deleteRows(Target t, Instant cutoff) {
        return SlicedDelete.run(
                        pool, t.table(), t.timeColumn() + " < $1", Tuple.of(cutoff.atOffset(ZoneOffset.UTC)), SLICE)
                .map(rows -> new Removed(rows, 0));
    }
}
