package dev.loupe.alerting.dispatch;

import dev.loupe.alerting.AlertingConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Which replica dispatches: a lease in {@code alerting.leases} with a fencing token. Each dispatch pass first
 * {@link #acquire()}s it: the holder renews it, anyone takes it once it has lapsed (by the database's clock, so the
 * replicas' clocks do not matter), and a new holder gets the token plus one. Every dispatch record is then written
 * {@link #fenced} by the token the pass started with: under a share lock on the lease row, only while that token is
 * still the current one, so a replica that paused past its lease and woke up records nothing once another has
 * taken over. A stopping replica gives the lease up, so a rolling restart hands over at once.
 */
@Singleton
public class DispatchLease {
    static final String NAME = "dispatcher";
    private static final Logger LOG = Logger.getLogger(DispatchLease.class);
    private static final String ACQUIRE = """
            insert into alerting.leases as l (name, holder, token, expires_at, acquired_at)
            values ($1, $2, 1, now() + make_interval(secs => $3), now())
            on conflict (name) do update set
                token = case when l.holder = excluded.holder then l.token else l.token + 1 end,
                acquired_at = case when l.holder = excluded.holder then l.acquired_at else now() end,
                holder = excluded.holder, expires_at = excluded.expires_at
            where l.holder = excluded.holder or l.expires_at <= now()
            returning token""";
    private static final String CHECK = "select token from alerting.leases where name = $1 for share";

    private final Pool pool;
    private final Duration ttl;
    private final String holder;
    private volatile long held = -1;

    @Inject
    public DispatchLease(Pool pool, AlertingConfig config, MeterRegistry registry) {
        this(pool, config.dispatchLease(), registry);
    }

    DispatchLease(Pool pool, Duration ttl, MeterRegistry registry) {
        this.pool = pool;
        this.ttl = ttl;
        this.holder = replica();
        Gauge.builder("loupe.alerting.dispatch.leader", this, l -> l.held >= 0 ? 1 : 0)
                .description("1 while this replica holds the dispatcher lease, else 0")
                .register(registry);
    }

    /** Takes or renews the lease; answers its fencing token while this replica holds it, empty otherwise. */
    public Uni<OptionalLong> acquire() {
        return pool.preparedQuery(ACQUIRE)
                .execute(Tuple.of(NAME, holder, ttl.toMillis() / 1000.0))
                .map(rows -> {
                    long token = rows.size() == 1 ? rows.iterator().next().getLong("token") : -1;
                    if (token != held) {
                        if (token >= 0) {
                            LOG.infof("this replica (%s) now dispatches notifications (lease token %d)", holder, token);
                        } else {
                            LOG.infof("this replica (%s) no longer dispatches: another holds the lease", holder);
                        }
                        held = token;
                    }
                    return token >= 0 ? OptionalLong.of(token) : OptionalLong.empty();
                });
    }

    /**
     * Runs {@code write} in a transaction that first share-locks the lease row and checks that {@code token} is still
     * its token; fails with {@link LeaseLost} and writes nothing otherwise. A replica taking the lease over waits for
     * a fenced write in progress, and a fenced write after a take-over sees the new token.
     */
    public <T> Uni<T> fenced(long token, Function<SqlConnection, Uni<T>> write) {
        return pool.withTransaction(connection -> connection
                .preparedQuery(CHECK)
                .execute(Tuple.of(NAME))
                .chain(rows -> {
                    long current = rows.size() == 1 ? rows.iterator().next().getLong("token") : -1;
                    if (current != token) {
                        held = -1;
                        return Uni.createFrom().failure(new LeaseLost(token, current));
                    }
                    return write.apply(connection);
                }));
    }

    /** This replica's name in the lease: the pod (HOSTNAME), the process and a per-start id. */
    public String holder() {
        return holder;
    }

    void release(@Observes ShutdownEvent stopping) {
        if (held < 0) {
            return;
        }
        try {
            pool.preparedQuery("update alerting.leases set expires_at = now() where name = $1 and holder = $2")
                    .execute(Tuple.of(NAME, holder))
                    .await()
                    .atMost(Duration.ofSeconds(2));
            LOG.infof("gave up the dispatcher lease (%s) on shutdown", holder);
        } catch (RuntimeException e) {
            LOG.warnf("could not give up the dispatcher lease on shutdown; it lapses by itself: %s", e.toString());
        }
    }

    private static String replica() {
        String host = System.getenv("HOSTNAME");
        return (host == null || host.isBlank() ? "local" : host) + "/"
                + ProcessHandle.current().pid() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A dispatch record refused: the token it was written under is no longer the lease's. */
    public static final class LeaseLost extends RuntimeException {
        LeaseLost(long token, long current) {
            super("the dispatcher lease moved on (token " + token + ", now " + current + "): this replica stops"
                    + " dispatching");
        }
    }
}
