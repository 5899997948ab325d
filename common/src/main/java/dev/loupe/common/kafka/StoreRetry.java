package dev.loupe.common.kafka;

import dev.loupe.contracts.json.UnreadableRecordException;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The retry policy of every consumer's database write: a store failure is an outage, not a poison record,
 * so it is retried with back-off until it succeeds, and the record's offset stays uncommitted meanwhile.
 */
public final class StoreRetry {
    private static final Logger LOG = Logger.getLogger(StoreRetry.class);

    private StoreRetry() {}

    /**
     * Retries {@code write} (a lazy Uni, re-run on each subscription) until it succeeds. A failure caused by
     * the record's own data (SQLSTATE classes 22 and 23: bad value, constraint) is not retried, and neither is an
     * {@link UnreadableRecordException} a writer throws on a record it cannot store (retrying cannot cure it): it
     * fails the message, which then goes to the dead-letter topic instead of blocking its partition forever.
     * Anything else, bugs included, is retried: a bug must stop the partition loudly, not drain it into the DLQ.
     */
    public static <T> Uni<T> untilStored(Uni<T> write, String what) {
        return write.onFailure(StoreRetry::isOutage)
                .invoke(e -> LOG.warnf("storing %s failed, retrying: %s", what, e.toString()))
                .onFailure(StoreRetry::isOutage)
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely()
                .onFailure()
                .transform(
                        e -> new UnreadableRecordException("the database refused " + what + ": " + e.getMessage(), e));
    }

    static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg
                    && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"))) {
                return false;
            }
            if (t instanceof UnreadableRecordException) {
                return false;
            }
        }
        return true;
    }
}
