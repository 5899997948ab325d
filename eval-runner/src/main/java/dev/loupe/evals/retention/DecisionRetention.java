package dev.loupe.evals.retention;

import dev.loupe.common.jobs.PeriodClaim;
import dev.loupe.common.sql.SlicedDelete;
import dev.loupe.evals.EvalsConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * Forgets decisions older than {@code loupe.evals.decision-retention} (by when they were received), the
 * per-minute sampling counters not used for two days (by use, not by minute, so a back-fill of old minutes
 * keeps its counts), feedback received as long ago as the decisions, and finished judge jobs. Deletes in slices so
 * a large backlog never holds one long transaction. Results are kept: they are the score history.
 */
@Singleton
public class DecisionRetention {
    private static final Logger LOG = Logger.getLogger(DecisionRetention.class);
    static final int SLICE = 10_000;
    private static final Duration COUNTER_AGE = Duration.ofDays(2);

    private final Pool pool;
    private final EvalsConfig config;
    private final Clock clock;

    public DecisionRetention(Pool pool, EvalsConfig config, Clock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(
            every = "${loupe.evals.retention-interval:1h}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "1m")
    Uni<Void> scheduled() {
        return claimPeriod(clock.instant())
                .chain(mine -> mine ? runLogged() : Uni.createFrom().voidItem());
    }

    /**
     * Whether this replica runs retention for the period starting at {@code now}: the first replica to ask in a
     * period does ({@link PeriodClaim}), so N replicas delete once per period, not N times.
     */
    public Uni<Boolean> claimPeriod(Instant now) {
        Duration period = PeriodClaim.period(config.retentionInterval()).orElse(Duration.ofHours(1));
        return PeriodClaim.claim(pool, "evals.job_runs", "retention", now, period);
    }

    private Uni<Void> runLogged() {
        return run().invoke(n -> {
                    if (n > 0) {
                        LOG.infof("retention removed %d decisions older than %s", n, config.decisionRetention());
                    }
                })
                .replaceWithVoid();
    }

    /** Returns how many decisions were removed. */
    public Uni<Long> run() {
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        OffsetDateTime cutoff = now.minus(config.decisionRetention());
        return SlicedDelete.run(pool, "evals.decisions", "received_at < $1", Tuple.of(cutoff), SLICE)
                // feedback too: a parked one whose decision never came, and acted-on ones past the same age
                .call(() ->
                        SlicedDelete.run(pool, "evals.feedback_received", "received_at < $1", Tuple.of(cutoff), SLICE))
                .call(() -> SlicedDelete.run(pool, "evals.skips", "skipped_at < $1", Tuple.of(cutoff), SLICE))
                .call(() -> pool.preparedQuery("delete from evals.sample_minutes where touched_at < $1")
                        .execute(Tuple.of(now.minus(COUNTER_AGE))))
                .call(() -> pool.preparedQuery("""
                        delete from evals.judge_jobs where state in ('done', 'unparseable', 'abandoned')
                        and updated_at < $1""").execute(Tuple.of(cutoff)));
    }
}
