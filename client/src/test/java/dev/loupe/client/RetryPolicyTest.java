package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("1994-11-06T08:49:30Z");
    private final RetryPolicy policy =
            new RetryPolicy(5, Duration.ofSeconds(60), Duration.ofMillis(500), Duration.ofSeconds(30));

    @Test
    void retryAfterInSecondsIsThatManySeconds() {
        assertThat(RetryPolicy.parseRetryAfter("5", NOW)).contains(Duration.ofSeconds(5));
        assertThat(RetryPolicy.parseRetryAfter(" 120 ", NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryPolicy.parseRetryAfter("0", NOW)).contains(Duration.ZERO);
    }

    @Test
    void retryAfterAsAnHttpDateIsTheTimeUntilThen() {
        Optional<Duration> expected = Optional.of(Duration.ofSeconds(7));
        assertThat(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW))
                .isEqualTo(expected);
        assertThat(RetryPolicy.parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", NOW))
                .isEqualTo(expected);
        assertThat(RetryPolicy.parseRetryAfter("Sun Nov  6 08:49:37 1994", NOW)).isEqualTo(expected);
    }

    @Test
    void retryAfterInThePastMeansNow() {
        assertThat(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", NOW))
                .contains(Duration.ZERO);
    }

    @Test
    void unreadableRetryAfterIsIgnored() {
        for (String value :
                new String[] {null, "", "  ", "-5", "1.5", "soon", "99999999999999999999999", "2026-11-27T10:00:00Z"}) {
            assertThat(RetryPolicy.parseRetryAfter(value, NOW))
                    .as(String.valueOf(value))
                    .isEmpty();
        }
    }

    @Test
    void backoffDoublesWithJitterBetweenHalfAndFullAndStopsAtTheCap() {
        for (int retry = 1; retry <= 100; retry++) {
            long base = Math.min(30_000, 500L << Math.min(retry - 1, 20));
            assertThat(policy.backoff(retry, () -> 0.0))
                    .as("retry %d, low", retry)
                    .isEqualTo(Duration.ofMillis(base / 2));
            assertThat(policy.backoff(retry, () -> 0.999_999))
                    .as("retry %d, high", retry)
                    .isBetween(Duration.ofMillis(base - 1), Duration.ofMillis(base));
        }
        assertThat(policy.backoff(1, () -> 0.5)).isEqualTo(Duration.ofMillis(375));
        assertThat(policy.backoff(7, () -> 0.0)).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void onlyTooManyRequestsServerErrorsAndNoAnswerAreRetried() {
        for (int status : new int[] {0, 429, 500, 502, 503, 504}) {
            assertThat(RetryPolicy.retryable(status)).as("%d", status).isTrue();
        }
        for (int status : new int[] {400, 401, 403, 404, 408, 409, 413, 415, 422, 301}) {
            assertThat(RetryPolicy.retryable(status)).as("%d", status).isFalse();
            assertThat(policy.nextDelay(status, "1", 1, Duration.ZERO, NOW, () -> 0.5))
                    .as("%d", status)
                    .isEmpty();
        }
    }

    @Test
    void retryAfterIsHonouredOn429And503AndBackoffServesTheRest() {
        assertThat(policy.nextDelay(503, "7", 1, Duration.ZERO, NOW, () -> 0.0)).contains(Duration.ofSeconds(7));
        assertThat(policy.nextDelay(429, "Sun, 06 Nov 1994 08:49:40 GMT", 1, Duration.ZERO, NOW, () -> 0.0))
                .contains(Duration.ofSeconds(10));
        assertThat(policy.nextDelay(502, "7", 1, Duration.ZERO, NOW, () -> 0.0)).contains(Duration.ofMillis(250));
        assertThat(policy.nextDelay(503, null, 3, Duration.ZERO, NOW, () -> 0.0))
                .contains(Duration.ofSeconds(1));
        assertThat(policy.nextDelay(0, null, 2, Duration.ZERO, NOW, () -> 0.0)).contains(Duration.ofMillis(500));
    }

    @Test
    void theBudgetOfAttemptsAndElapsedTimeEndsTheRetries() {
        assertThat(policy.nextDelay(503, "1", 4, Duration.ZERO, NOW, () -> 0.0)).isPresent();
        assertThat(policy.nextDelay(503, "1", 5, Duration.ZERO, NOW, () -> 0.0))
                .as("5 attempts made")
                .isEmpty();
        assertThat(policy.nextDelay(503, "1", 1, Duration.ofSeconds(59), NOW, () -> 0.0))
                .isPresent();
        assertThat(policy.nextDelay(503, "2", 1, Duration.ofSeconds(59), NOW, () -> 0.0))
                .as("past 60 s")
                .isEmpty();
        assertThat(policy.nextDelay(429, "3600", 1, Duration.ZERO, NOW, () -> 0.0))
                .as("a wait beyond the budget")
                .isEmpty();
    }
}
