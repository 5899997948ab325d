package dev.loupe.collector.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostCalculatorTest {
    static final Instant DAY = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void unknownModelHasNoCostAndIsCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CostCalculator calculator = new CostCalculator(config(null, null), registry);
        assertThat(calculator.cost("p", null, "mystery-model", DAY, 10L, 10L, null, null, null))
                .isNull();
        assertThat(calculator.cost("p", "openai", "gpt-4o", DAY, null, null, null, null, null))
                .isNull();
        assertThat(registry.counter("loupe.collector.cost.unknown.model").count())
                .isEqualTo(1.0);
    }

    @Test
    void cacheWriteTokensArePricedAtTheCacheWritePrice() {
        CostCalculator calculator = new CostCalculator(config(null, null), new SimpleMeterRegistry());
        // claude-3-5-haiku: $0.80 input, $1.00 cache write, $4 output: 1,000 × 0.80 + 4,000 × 1.00 + 100 × 4
        assertThat(calculator.cost(
                        "p", "anthropic", "claude-3-5-haiku-20241022", DAY, 5_000L, 100L, null, 4_000L, null))
                .isEqualByComparingTo("0.0052");
    }

    @Test
    void aConfiguredTableReplacesTheBuiltInOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"prices": [{"model": "in-house", "match": "in-house-.*", "startDate": "2025-01-01",
                             "perMillion": {"input": 0.1, "output": 0.1}}]}
                """);
        CostCalculator calculator = new CostCalculator(config(file.toString(), null), new SimpleMeterRegistry());
        assertThat(calculator.cost("p", null, "in-house-7b", DAY, 1000L, 1000L, null, null, null))
                .isEqualByComparingTo("0.0002");
        assertThat(calculator.cost("p", "openai", "gpt-4o", DAY, 1000L, 1000L, null, null, null))
                .isNull();
    }

    @Test
    void theRetiredOverridesFileStopsStartUpSayingWhatReplacedIt() {
        assertThatThrownBy(
                        () -> new CostCalculator(config(null, "/etc/loupe/overrides.json"), new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("loupe.pricing.project-overrides-file")
                .hasMessageContaining("PUT /v1/prices/{provider}/{model}");
    }

    private static PricingConfig config(String file, String overrides) {
        return new PricingConfig() {
            public Optional<String> file() {
                return Optional.ofNullable(file);
            }

            public Optional<String> projectOverridesFile() {
                return Optional.ofNullable(overrides);
            }
        };
    }
}
