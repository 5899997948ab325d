package dev.loupe.aggregator.spans;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * A failpoint for the fault-injection suite: with {@code loupe.faults.halt-after-span-batches=N} the JVM halts
 * (no shutdown hook, like {@code kill -9}) right after the N-th span batch's transaction committed and before its
 * offsets are, the narrowest window of the exactly-once claim. Off (0) unless set; never set in production.
 */
@ApplicationScoped
public class CommitFailpoint {
    /** The exit status of a halt, so a test can tell the failpoint from a crash. */
    public static final int EXIT_STATUS = 86;

    private static final Logger LOG = Logger.getLogger(CommitFailpoint.class);

    private final int haltAfter;
    private final AtomicInteger committed = new AtomicInteger();

    public CommitFailpoint(
            @ConfigProperty(name = "loupe.faults.halt-after-span-batches", defaultValue = "0") int haltAfter) {
        this.haltAfter = haltAfter;
        if (haltAfter > 0) {
            LOG.warnf("failpoint armed: the JVM halts after committing span batch %d, before its offsets", haltAfter);
        }
    }

    /** Called once a batch's transaction has committed and before the batch is acknowledged. */
    void batchCommitted(int records) {
        if (haltAfter > 0 && committed.incrementAndGet() == haltAfter) {
            LOG.warnf(
                    "failpoint: halting after committing span batch %d (%d records), before its offsets",
                    haltAfter, records);
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
