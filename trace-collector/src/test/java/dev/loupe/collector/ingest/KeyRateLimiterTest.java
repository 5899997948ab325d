package dev.loupe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.http.ProblemException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyRateLimiterTest {
    private static CollectorConfig config(double perSecond, int burst) {
        return new CollectorConfig() {
            public int maxBatchItems() {
                return 1000;
            }

            public int maxBodyBytes() {
                return 1 << 20;
            }

            public Duration ackTimeout() {
                return Duration.ofSeconds(5);
            }

            public int maxInFlight() {
                return 1000;
            }

            public long memoryBudget() {
                return 0;
            }

            public double rateLimitPerSecond() {
                return perSecond;
            }

            public int rateLimitBurst() {
                return burst;
            }

            public Optional<String> rateLimitPeers() {
                return Optional.empty();
            }

            public Duration rateLimitPeersInterval() {
                return Duration.ofSeconds(15);
            }

            public int retryAfterSeconds() {
                return 5;
            }
        };
    }

    @Test
    void aKeyOverItsBurstGets429WithRetryAfterWhileOtherKeysGoOn() {
        KeyRateLimiter limiter = new KeyRateLimiter(config(0.5, 3));
        for (int i = 0; i < 3; i++) {
            limiter.acquire("key-a");
        }
        assertThatThrownBy(() -> limiter.acquire("key-a")).isInstanceOfSatisfying(ProblemException.class, e -> {
            org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(429);
            org.assertj.core.api.Assertions.assertThat(e.retryAfterSeconds()).isBetween(1, 2);
        });
        assertThatCode(() -> limiter.acquire("key-b")).doesNotThrowAnyException();
    }

    @Test
    void rateZeroMeansNoLimit() {
        KeyRateLimiter off = new KeyRateLimiter(config(0, 1));
        int refused = 0;
        for (int i = 0; i < 10_000; i++) {
            try {
                off.acquire("key-a");
            } catch (ProblemException e) {
                refused++;
            }
        }
        assertThat(refused)
                .as("requests refused with the rate at 0, far over the burst of 1")
                .isZero();
        // the same burst with any positive rate refuses the second request at once: 0 is "off", not "very slow"
        KeyRateLimiter slow = new KeyRateLimiter(config(0.001, 1));
        slow.acquire("key-a");
        assertThatThrownBy(() -> slow.acquire("key-a"))
                .isInstanceOfSatisfying(
                        ProblemException.class, e -> assertThat(e.status()).isEqualTo(429));
    }

    /** Two replicas share a key's limit: each allows half the burst and half the rate. */
    @Test
    void theLimitIsSharedOverThePeerReplicas() {
        KeyRateLimiter limiter = new KeyRateLimiter(config(0.5, 4));
        limiter.peers(2);
        limiter.acquire("key-a");
        limiter.acquire("key-a");
        assertThatThrownBy(() -> limiter.acquire("key-a")).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            // half of 0.5/s: a token every 4 s
            assertThat(e.retryAfterSeconds()).isBetween(3, 4);
            assertThat(e.getMessage()).contains("shared over 2 collector replicas");
        });
        KeyRateLimiter alone = new KeyRateLimiter(config(0.5, 4));
        for (int i = 0; i < 4; i++) {
            alone.acquire("key-a");
        }
    }

    /** The peers are what the name resolves to: localhost is at least one; a name that never resolves keeps the count. */
    @Test
    void peersAreCountedByDnsAndAFailedLookupKeepsTheLastCount() {
        assertThat(KeyRateLimiter.countPeers("localhost").orElse(0)).isPositive();
        assertThat(KeyRateLimiter.countPeers("loupe-collector-peers.invalid")).isEmpty();
        KeyRateLimiter limiter = new KeyRateLimiter(config(1, 10));
        limiter.peers(3);
        assertThat(limiter.refreshPeers("loupe-collector-peers.invalid")).isEqualTo(3);
        int local = limiter.refreshPeers("localhost");
        assertThat(local).isEqualTo(KeyRateLimiter.countPeers("localhost").getAsInt());
        assertThat(limiter.peers()).isEqualTo(local);
    }
}
