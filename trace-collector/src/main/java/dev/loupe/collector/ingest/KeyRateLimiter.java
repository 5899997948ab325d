package dev.loupe.collector.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.http.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** A token bucket per API key; a request over the rate gets 429 with Retry-After. Off when the rate is 0. */
@ApplicationScoped
public class KeyRateLimiter {
    private final double perSecond;
    private final int burst;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(100_000)
            .build();

    public KeyRateLimiter(CollectorConfig config) {
        this.perSecond = config.rateLimitPerSecond();
        this.burst = Math.max(1, config.rateLimitBurst());
    }

    /** Takes one token for {@code keyId} or throws a 429 problem. */
    public void acquire(String keyId) {
        if (perSecond <= 0) {
            return;
        }
        Bucket bucket = buckets.get(keyId, k -> new Bucket(burst, System.nanoTime()));
        long waitNanos = bucket.take(perSecond, burst, System.nanoTime());
        if (waitNanos > 0) {
            int seconds = (int) Math.max(1, Math.ceil(waitNanos / 1e9));
            throw new ProblemException(
                    429,
                    "Too Many Requests",
                    "rate limit of " + perSecond + " requests/s for this key exceeded",
                    "Authorization",
                    null,
                    seconds);
        }
    }

    private static final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        /** 0 when a token was taken, else nanoseconds until one will be there. */
        synchronized long take(double perSecond, int burst, long now) {
            tokens = Math.min(burst, tokens + (now - updated) / 1e9 * perSecond);
            updated = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) ((1 - tokens) / perSecond * 1e9);
        }
    }
}
