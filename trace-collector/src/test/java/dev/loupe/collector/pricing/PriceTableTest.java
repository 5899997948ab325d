package dev.loupe.collector.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceTableTest {
    private final PriceTable shipped = new PriceTable(CostCalculator.shipped());

    @Test
    void providerPrefixesAndDatedSnapshotsMatchTheirFamily() {
        Instant now = Instant.parse("2026-11-27T00:00:00Z");
        assertThat(shipped.priceFor("gpt-4o", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("gpt-4o");
        assertThat(shipped.priceFor("openai/gpt-4o", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("gpt-4o");
        assertThat(shipped.priceFor("gpt-4o-2024-08-06", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("gpt-4o");
        assertThat(shipped.priceFor("GPT-4o-mini-2024-07-18", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("gpt-4o-mini");
        assertThat(shipped.priceFor("anthropic.claude-3-5-sonnet-20241022-v2:0", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("claude-3-5-sonnet");
        assertThat(shipped.priceFor("claude-sonnet-4-20250514", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("claude-sonnet-4");
        assertThat(shipped.priceFor("models/gemini-2.5-flash", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("gemini-2.5-flash");
        assertThat(shipped.priceFor("meta-llama/Meta-Llama-3.1-8B-Instruct", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("llama-3-8b");
        assertThat(shipped.priceFor("llama-3.3-70b-versatile", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("llama-3-70b");
        assertThat(shipped.priceFor("mistral-large-latest", now))
                .get()
                .extracting(ModelPrice::model)
                .isEqualTo("mistral-large");
        assertThat(shipped.priceFor("my-finetune", now)).isEmpty();
    }

    @Test
    void theEntryInForceOnTheSpansDayIsUsed() {
        assertThat(shipped.priceFor("o3", Instant.parse("2025-05-01T00:00:00Z")))
                .get()
                .extracting(ModelPrice::input)
                .isEqualTo(new BigDecimal("0.00001"));
        assertThat(shipped.priceFor("o3", Instant.parse("2025-07-01T00:00:00Z")))
                .get()
                .extracting(ModelPrice::input)
                .isEqualTo(new BigDecimal("0.000002"));
        assertThat(shipped.priceFor("gpt-4.1", Instant.parse("2024-01-01T00:00:00Z")))
                .isEmpty();
    }

    @Test
    void cachedAndReasoningTokensArePricedOnce() {
        ModelPrice price = new ModelPrice(
                "m",
                "m",
                java.time.LocalDate.parse("2025-01-01"),
                new BigDecimal("0.000002"),
                new BigDecimal("0.000008"),
                new BigDecimal("0.0000005"),
                null);
        // 1000 input of which 400 cached; 500 output of which 200 reasoning (priced as output)
        BigDecimal cost = PriceTable.cost(price, 1000L, 500L, 400L, 200L);
        assertThat(cost).isEqualByComparingTo("0.0054"); // 600*2e-6 + 400*5e-7 + 500*8e-6
        assertThat(PriceTable.cost(price, null, 10L, null, null)).isEqualByComparingTo("0.00008");
    }

    @Test
    void everyShippedPatternCompilesAndNamesAModel() {
        List<ModelPrice> prices = CostCalculator.shipped();
        assertThat(prices).hasSizeGreaterThan(20).allSatisfy(p -> {
            assertThat(p.pattern().matcher(p.model()).matches())
                    .as(p.model() + " matches its own pattern")
                    .isTrue();
            assertThat(p.input().signum()).isPositive();
            assertThat(p.output().signum()).isPositive();
        });
    }
}
