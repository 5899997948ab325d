package dev.loupe.alerting.retention;

import dev.loupe.alerting.AlertingConfig;
import dev.loupe.common.jobs.PeriodClaim;
import dev.loupe.common.sql.SlicedDelete;
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
 * Keeps schema {@code alerting} bounded: closed windows past {@code window-retention} (baselines read at most
 * a week back), and, past {@code history-retention}, resolved alerts with their history, expired silences and
 * the notification log. Deletes in slices so a backlog never holds one long transaction.
 */
@Singleton
public class AlertingRetention {
    private static final Logger LOG = Logger.getLogger(AlertingRetention.class);
    static final int SLICE = 10_000;

    private final Pool pool;
    private final AlertingConfig config;
    private final Clock clock;

    public AlertingRetention(Pool pool, AlertingConfig config, Clock clock) {
        this.pool = pool;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(
            every = "${loupe.alerting.retention-interval:1h}",
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
        return PeriodClaim.claim(pool, "alerting.job_runs", "retention", now, period);
    }

    private Uni<Void> runLogged() {
        return run().invoke(n -> {
                    if (n > 0) {
                        LOG.infof("alerting retention removed %d rows", n);
                    }
                })
                .replaceWithVoid();
    }

    /** Returns how many rows were removed. */
    public Uni<Long> run() {
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        OffsetDateTime windows = now.minus(config.windowRetention());
        OffsetDateTime history = now.minus(config.historyRetention());
        return sliced("alerting.metric_windows", "window_end < $1", windows, 0)
                .chain(n -> sliced("alerting.alert_transitions", """
                        published_at is not null and recorded_at < $1 and exists (select 1 from alerting.alerts a
                          where a.project_id = alert_transitions.project_id and a.fingerprint = alert_transitions.fingerprint
                            and a.state = 'resolved' and a.updated_at < $1)""", history, n))
                .chain(n -> sliced("alerting.alerts", """
                        state = 'resolved' and updated_at < $1 and not exists (select 1 from alerting.alert_transitions t
                          where t.project_id = alerts.project_id and t.fingerprint = alerts.fingerprint)""", history, n))
                .chain(n -> sliced("alerting.silences", "ends_at < $1", history, n))
                .chain(n -> sliced("alerting.notification_log", "sent_at < $1", history, n));
    }

    private Uni<Long> sliced(String table, String where, OffsetDateTime cutoff, long removed) {
        return SlicedDelete.run(pool, table, where, Tuple.of(cutoff), SLICE).map(n -> removed + n);
    }
}
