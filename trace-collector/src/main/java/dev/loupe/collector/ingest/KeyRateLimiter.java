package dev.loupe.collector.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.http.ProblemException;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.OptionalInt;
import org.jboss.logging.Logger;

/**
 * A token bucket per API key; a request over the rate gets 429 with Retry-After. Off when the rate is 0. With
 * {@code rate-limit-peers} set, the rate and burst are shared out over the collector replicas that name resolves to,
 * so that N replicas together allow a key about its limit, not N times it (README, "Rate limit").
 */
@ApplicationScoped
public class KeyRateLimiter {
    private static final Logger LOG = Logger.getLogger(KeyRateLimiter.class);
    private final CollectorConfig config;
    private final double perSecond;
    private final int burst;
    private volatile int peers = 1;
    private volatile boolean unresolved;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(100_000)
            .build();

    public KeyRateLimiter(CollectorConfig config) {
        this.config = config;
        this.perSecond = config.rateLimitPerSecond();
        this.burst = Math.max(1, config.rateLimitBurst());
    }

    void watchPeers(@Observes StartupEvent start, Vertx vertx) {
        if (perSecond <= 0 || config.rateLimitPeers().isEmpty()) {
            return;
        }
        String name = config.rateLimitPeers().get();
        refreshPeers(name);
        vertx.setPeriodic(
                config.rateLimitPeersInterval().toMillis(),
                id -> vertx.executeBlocking(() -> refreshPeers(name), false));
        LOG.infof(
                "per-key rate limit %s requests/s shared over the collector replicas behind %s (now %d)",
                perSecond, name, peers);
    }

    /** Resolves {@code name} and shares the limit over what it finds; a failed lookup keeps the last count. */
    int refreshPeers(String name) {
        OptionalInt found = countPeers(name);
        if (found.isPresent()) {
            if (found.getAsInt() != peers) {
                LOG.infof("rate limit shared over %d collector replicas (was %d)", found.getAsInt(), peers);
            }
            peers = found.getAsInt();
            unresolved = false;
        } else if (!unresolved) {
            unresolved = true;
            LOG.warnf(
                    "cannot resolve %s (loupe.collector.rate-limit-peers); the rate limit stays shared over %d"
                            + " replicas until it resolves",
                    name, peers);
        }
        return peers;
    }

    /** How many addresses {@code name} resolves to, or empty when it does not resolve. */
    static OptionalInt countPeers(String name) {
        try {
            return OptionalInt.of(Math.max(1, InetAddress.getAllByName(name).length));
        } catch (UnknownHostException e) {
            return OptionalInt.empty();
        }
    }

    /** The replicas the limit is shared over. */
    int peers() {
        return peers;
    }

    /** Sets the replicas the limit is shared over (what a lookup would). */
    void peers(int count) {
        peers = Math.max(1, count);
    }

    /** Takes one token for {@code keyId} or throws a 429 problem. */
    public void acquire(String keyId) {
        if (perSecond <= 0) {
            return;
        }
        int n = peers;
        double rate = perSecond / n;
        int share = Math.max(1, burst / n);
        Bucket bucket = buckets.get(keyId, k -> new Bucket(share, System.nanoTime()));
        long waitNanos = bucket.take(rate, share, System.nanoTime());
        if (waitNanos > 0) {
            int seconds = (int) Math.max(1, Math.ceil(waitNanos / 1e9));
            throw new ProblemException(
                    429,
                    "Too Many Requests",
                    "rate limit of " + perSecond + " requests/s for this key exceeded"
                            + (n > 1 ? " (shared over " + n + " collector replicas)" : ""),
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
