package dev.loupe.common.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectPricesTest {
    private static final Instant FROM = Instant.parse("2026-06-01T00:00:00Z");

    private static PriceOverride override(String provider, String model, Instant from, String input) {
        return new PriceOverride(
                provider, model, from, new Rates(new BigDecimal(input), BigDecimal.ONE, null, null, null));
    }

    @Test
    void matchesTheExactNameOrItWithADateSuffixCaseInsensitively() {
        ProjectPrices prices = new ProjectPrices(List.of(override("openai", "gpt-4o", FROM, "1")));
        Instant after = FROM.plusSeconds(1);
        assertThat(prices.find("openai", "GPT-4o", after)).isPresent();
        assertThat(prices.find("openai", "gpt-4o-2024-08-06", after)).isPresent();
        assertThat(prices.find(null, "gpt-4o-20240806", after)).isPresent();
        assertThat(prices.find("openai", "gpt-4o-mini", after)).isEmpty();
        assertThat(prices.find("openai", "openai/gpt-4o", after)).isEmpty();
        assertThat(prices.find("anthropic", "gpt-4o", after)).isEmpty();
    }

    @Test
    void appliesFromItsEffectiveTimeAndTheLatestOneInForceWins() {
        ProjectPrices prices = new ProjectPrices(List.of(
                override("openai", "gpt-4o", FROM, "1"), override("openai", "gpt-4o", FROM.plusSeconds(3600), "2")));
        assertThat(prices.find("openai", "gpt-4o", FROM.minusMillis(1))).isEmpty();
        assertThat(prices.find("openai", "gpt-4o", FROM)
                        .orElseThrow()
                        .perMillion()
                        .input())
                .isEqualByComparingTo("1");
        assertThat(prices.find("openai", "gpt-4o", FROM.plusSeconds(3600))
                        .orElseThrow()
                        .perMillion()
                        .input())
                .isEqualByComparingTo("2");
    }

    @Test
    void anOverrideForTheDatedNameWinsOverTheUndatedOne() {
        ProjectPrices prices = new ProjectPrices(
                List.of(override("openai", "gpt-4o", FROM, "1"), override("openai", "gpt-4o-2024-05-13", FROM, "5")));
        assertThat(prices.find("openai", "gpt-4o-2024-05-13", FROM)
                        .orElseThrow()
                        .perMillion()
                        .input())
                .isEqualByComparingTo("5");
        assertThat(prices.find("openai", "gpt-4o-2024-08-06", FROM)
                        .orElseThrow()
                        .perMillion()
                        .input())
                .isEqualByComparingTo("1");
    }
}
