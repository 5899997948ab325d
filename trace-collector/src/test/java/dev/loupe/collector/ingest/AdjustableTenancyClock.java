package dev.loupe.collector.ingest;

import dev.loupe.common.tenancy.TenancyClock;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The API key cache's clock for tests that need its durations to pass: the system clock plus whatever the test
 * moved it forward by. Only in the applications of test profiles that enable it
 * ({@code QuarkusTestProfile#getEnabledAlternatives}).
 */
@Alternative
@ApplicationScoped
public class AdjustableTenancyClock extends TenancyClock {
    private final AtomicLong ahead = new AtomicLong();

    @Override
    public long read() {
        return super.read() + ahead.get();
    }

    /** Moves the clock forward by {@code by}, as if that much time had passed. */
    public void advance(Duration by) {
        ahead.addAndGet(by.toNanos());
    }
}
