package dev.loupe.collector.pricing;

import static org.assertj.core.api.Assertions.assertThat;

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
    void projectOverridesWinForTheirModelsOnly(@TempDir Path dir) throws Exception {
        Path overrides = dir.resolve("overrides.json");
        Files.writeString(overrides, """
                {"p-negotiated": [{"model": "gpt-4o", "match": "(openai/)?gpt-4o", "startDate": "2025-01-01",
                                   "input": 1.0e-6, "output": 5.0e-6},
                                  {"model": "in-house", "match": "in-house-.*", "startDate": "2025-01-01",
                                   "input": 1.0e-7, "output": 1.0e-7}]}
                """);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CostCalculator calculator = new CostCalculator(config(null, overrides.toString()), registry);

        assertThat(calculator.cost("p-negotiated", "gpt-4o", DAY, 1000L, 100L, null, null))
                .isEqualByComparingTo("0.0015");
        assertThat(calculator.cost("p-other", "gpt-4o", DAY, 1000L, 100L, null, null))
                .isEqualByComparingTo("0.0035");
        assertThat(calculator.cost("p-negotiated", "in-house-7b", DAY, 1000L, 1000L, null, null))
                .isEqualByComparingTo("0.0002");
        assertThat(calculator.cost("p-negotiated", "gpt-4o-mini", DAY, 1000L, 0L, null, null))
                .isEqualByComparingTo("0.00015");
    }

    @Test
    void unknownModelHasNoCostAndIsCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CostCalculator calculator = new CostCalculator(config(null, null), registry);
        assertThat(calculator.cost("p", "mystery-model", DAY, 10L, 10L, null, null))
                .isNull();
        assertThat(calculator.cost("p", "gpt-4o", DAY, null, null, null, null)).isNull();
        assertThat(registry.counter("loupe.collector.cost.unknown.model").count())
                .isEqualTo(1.0);
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
