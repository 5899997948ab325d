package dev.loupe.common.jobs;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

/**
 * Lets one replica of a service run a periodic job (retention) per period, however many replicas schedule it.
 * Each replica's scheduler fires on its own phase; the first to fire in a period claims it with one atomic upsert
 * on {@code <schema>.job_runs} (a row per job: when it last started and who started it), and the others find it
 * claimed and skip. A job that dies mid-run is not retried before the next period, so the job must be idempotent
 * (retention is: what it did not delete, the next run does).
 *
 * <p>A period counts as claimed for 0.9 of its length, so the replica that ran the previous period on its schedule
 * still finds the next one free despite a little jitter; no two runs start closer than that.
 */
public final class PeriodClaim {
    private static final String CLAIM = """
            insert into %1$s (job, started_at, started_by) values ($1, $2, $3)
            on conflict (job) do update set started_at = excluded.started_at, started_by = excluded.started_by
            where %1$s.started_at <= $4
            returning job""";

    private PeriodClaim() {}

    /**
     * Claims {@code job}'s period starting at {@code now} in {@code table} (schema-qualified, a constant of the
     * caller); answers whether this replica runs it.
     */
    public static Uni<Boolean> claim(Pool pool, String table, String job, Instant now, Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a job's period must be positive: " + period);
        }
        Instant freeFrom = now.minus(period.multipliedBy(9).dividedBy(10));
        return pool.preparedQuery(CLAIM.formatted(table))
                .execute(Tuple.of(job, now.atOffset(ZoneOffset.UTC), replica(), freeFrom.atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.size() == 1);
    }

    /**
     * A scheduler's {@code every} value as a period: an ISO-8601 duration ({@code PT1H}, {@code P1D}) or
     * Quarkus' short form ({@code 30s}, {@code 1h}, {@code 1d}); empty for {@code off} and {@code disabled}.
     */
    public static Optional<Duration> period(String every) {
        String value = every.trim().toLowerCase(Locale.ROOT);
        if (value.equals("off") || value.equals("disabled")) {
            return Optional.empty();
        }
        try {
            if (value.startsWith("p")) {
                return Optional.of(Duration.parse(value));
            }
            if (value.endsWith("d")) {
                return Optional.of(Duration.parse("P" + value));
            }
            return Optional.of(Duration.parse("PT" + value));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a schedule interval: '" + every + "' (e.g. 1h, 30m, PT1H, off)", e);
        }
    }

    /** Who claims: the pod (HOSTNAME in Kubernetes) and the process, read when asked, never at build time. */
    static String replica() {
        String host = System.getenv("HOSTNAME");
        return (host == null || host.isBlank() ? "local" : host) + "/"
                + ProcessHandle.current().pid();
    }
}
