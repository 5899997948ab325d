package dev.loupe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.http.ProblemException;
import java.time.Duration;
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
}
