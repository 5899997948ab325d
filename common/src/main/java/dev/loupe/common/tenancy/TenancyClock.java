package dev.loupe.common.tenancy;

import com.github.benmanes.caffeine.cache.Ticker;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one time source of the API key cache ({@link ApiKeyStore}): Caffeine's expiry ({@code cache-ttl}) and the age
 * a lookup is answered from during an outage ({@code stale-if-error}) both read it, so they cannot disagree.
 * Monotonic nanoseconds, as {@link System#nanoTime()}; that is what production uses. Tests replace the bean (an
 * {@code @Alternative} subclass) to move time forward instead of sleeping past those durations.
 */
@ApplicationScoped
public class TenancyClock implements Ticker {
    @Override
    public long read() {
        return System.nanoTime();
    }
}
