package dev.loupe.common.kafka;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The retry policy of every consumer's database write: a store failure is an outage, not a poison record,
 * so it is retried with back-off until it succeeds, and the record's offset stays uncommitted meanwhile.
 */
public final class StoreRetry {
    private static final Logger LOG = Logger.getLogger(StoreRetry.class);

    private StoreRetry() {
    }

    /** Retries {@code write} (a lazy Uni, re-run on each subscription) until it succeeds. */
    public static <T> Uni<T> untilStored(Uni<T> write, String what) {
        return write
                .onFailure().invoke(e -> LOG.warnf("storing %s failed, retrying: %s", what, e.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely();
    }
}
