package dev.loupe.evals.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JudgeBudgetTest {
    private static final Instant MINUTE = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void callsBeyondTheMinutesBudgetWaitForTheNextMinute() {
        JudgeBudget budget = new JudgeBudget(config(10));
        assertThat(budget.take(4, MINUTE)).isEqualTo(4);
        assertThat(budget.take(8, MINUTE.plusSeconds(20))).isEqualTo(6);
        assertThat(budget.take(1, MINUTE.plusSeconds(59))).isZero();
        assertThat(budget.take(12, MINUTE.plusSeconds(60)))
                .as("a new minute, a new budget")
                .isEqualTo(10);
    }

    @Test
    void whatIsLeftOfTheMinuteIsKnownBeforeClaiming() {
        JudgeBudget budget = new JudgeBudget(config(5));
        assertThat(budget.remaining(MINUTE)).isEqualTo(5);
        budget.take(3, MINUTE);
        assertThat(budget.remaining(MINUTE.plusSeconds(30))).isEqualTo(2);
        assertThat(budget.remaining(MINUTE.plusSeconds(60))).isEqualTo(5);
    }

    private static JudgeConfig config(int perMinute) {
        return new JudgeConfig() {
            public Optional<String> baseUrl() {
                return Optional.empty();
            }

            public Optional<String> apiKey() {
                return Optional.empty();
            }

            public String model() {
                return "m";
            }

            public Duration timeout() {
                return Duration.ofSeconds(1);
            }

            public int maxConcurrency() {
                return 1;
            }

            public int maxCallsPerMinute() {
                return perMinute;
            }

            public int maxAttempts() {
                return 1;
            }

            public Duration attemptBackoff() {
                return Duration.ofMillis(1);
            }

            public Duration retryDelay() {
                return Duration.ofSeconds(30);
            }

            public Duration maxRetryDelay() {
                return Duration.ofMinutes(30);
            }

            public String pollInterval() {
                return "off";
            }

            public int batchSize() {
                return 1;
            }

            public Duration lease() {
                return Duration.ofMinutes(5);
            }

            public BigDecimal inputUsdPerMillionTokens() {
                return BigDecimal.ZERO;
            }

            public BigDecimal outputUsdPerMillionTokens() {
                return BigDecimal.ZERO;
            }

            public int maxTextChars() {
                return 100;
            }
        };
    }
}
