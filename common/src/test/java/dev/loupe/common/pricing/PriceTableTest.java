package dev.loupe.common.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The built-in table against its sources: each expected cost below is worked out by hand from the provider's list
 * price (per million tokens, quoted in the comment), not by the code under test.
 */
class PriceTableTest {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private final PriceTable shipped = PriceList.builtIn().table();

    private BigDecimal cost(String model, Instant at, Long in, Long out, Long cached, Long written, Long reasoning) {
        return shipped.priceFor(model, at)
                .orElseThrow(() -> new AssertionError(model + " has no price"))
                .cost(new Usage(in, out, cached, written, reasoning));
    }

    private String family(String model) {
        return shipped.priceFor(model, NOW).map(ModelPrice::model).orElse(null);
    }

    @Test
    void openAi() {
        // gpt-4o-2024-08-06: $2.50 input, $1.25 cached input, $10.00 output
        // 6,000 uncached × 2.50 + 4,000 cached × 1.25 + 500 × 10.00 = 15,000 + 5,000 + 5,000 = $0.025
        assertThat(cost("gpt-4o-2024-08-06", NOW, 10_000L, 500L, 4_000L, null, null))
                .isEqualByComparingTo("0.025");
        // gpt-5-mini: $0.25 input, $0.025 cached, $2.00 output: 2,500 + 1,000 + 4,000 = $0.0075
        assertThat(cost("gpt-5-mini-2025-08-07", NOW, 50_000L, 2_000L, 40_000L, null, null))
                .isEqualByComparingTo("0.0075");
        // o3 after the 2025-06-10 cut: $2 input, $8 output; reasoning tokens are output: 4,000 + 24,000 = $0.028
        assertThat(cost("o3", NOW, 2_000L, 3_000L, null, null, 2_500L)).isEqualByComparingTo("0.028");
        // text-embedding-3-small: $0.02 input: 8,000 × 0.02 = $0.00016
        assertThat(cost("text-embedding-3-small", NOW, 8_000L, null, null, null, null))
                .isEqualByComparingTo("0.00016");
        // Azure OpenAI, gpt-4.1-mini: $0.40 input, $1.60 output: 400 + 1,600 = $0.002
        assertThat(cost("azure/gpt-4.1-mini", NOW, 1_000L, 1_000L, null, null, null))
                .isEqualByComparingTo("0.002");
    }

    @Test
    void gpt4oKeepsItsOldPriceForSpansBeforeTheOctober2024Cut() {
        // gpt-4o before 2024-10-02: $5 / $15 → 5,000 + 1,500 = $0.0065; after: $2.50 / $10 → $0.0035
        assertThat(cost("gpt-4o", Instant.parse("2024-09-01T00:00:00Z"), 1_000L, 100L, null, null, null))
                .isEqualByComparingTo("0.0065");
        assertThat(cost("gpt-4o", Instant.parse("2024-11-01T00:00:00Z"), 1_000L, 100L, null, null, null))
                .isEqualByComparingTo("0.0035");
        // the 2024-05-13 snapshot never got cheaper
        assertThat(cost("gpt-4o-2024-05-13", NOW, 1_000L, 100L, null, null, null))
                .isEqualByComparingTo("0.0065");
        // o3 before its cut: $10 / $40 → 20,000 + 120,000 = $0.14
        assertThat(cost("o3", Instant.parse("2025-05-01T00:00:00Z"), 2_000L, 3_000L, null, null, null))
                .isEqualByComparingTo("0.14");
        assertThat(shipped.priceFor("gpt-4.1", Instant.parse("2024-01-01T00:00:00Z")))
                .isEmpty();
    }

    @Test
    void anthropicWithCacheWritesAndReads() {
        // Claude 3.7 Sonnet via a Bedrock inference profile: $3 input, $3.75 cache write, $0.30 cache read, $15 out
        // 2,000 uncached × 3 + 8,000 read × 0.30 + 2,000 written × 3.75 + 1,000 × 15
        //   = 6,000 + 2,400 + 7,500 + 15,000 = $0.0309
        assertThat(cost("us.anthropic.claude-3-7-sonnet-20250219-v1:0", NOW, 12_000L, 1_000L, 8_000L, 2_000L, null))
                .isEqualByComparingTo("0.0309");
        // Claude Haiku 4.5: $1.25 cache write, $5 output: 10,000 × 1.25 + 500 × 5 = $0.015
        assertThat(cost("claude-haiku-4-5-20251001", NOW, 10_000L, 500L, null, 10_000L, null))
                .isEqualByComparingTo("0.015");
        // Claude Opus 4.1: $15 / $75: 15,000 + 75,000 = $0.09
        assertThat(cost("claude-opus-4-1-20250805", NOW, 1_000L, 1_000L, null, null, null))
                .isEqualByComparingTo("0.09");
    }

    @Test
    void bedrockRegionalEndpointsOfThe45ModelsCostTenPercentMore() {
        // Sonnet 4.5 on a us. profile: $3.30 input, $16.50 output → 3,300 + 16,500 = $0.0198 (list: $0.018)
        assertThat(cost("us.anthropic.claude-sonnet-4-5-20250929-v1:0", NOW, 1_000L, 1_000L, null, null, null))
                .isEqualByComparingTo("0.0198");
        // the global profile is at list price: 3,000 + 15,000 = $0.018
        assertThat(cost("global.anthropic.claude-sonnet-4-5-20250929-v1:0", NOW, 1_000L, 1_000L, null, null, null))
                .isEqualByComparingTo("0.018");
        // Haiku 4.5 in-region: $1.375 cache write, $5.50 output → 13,750 + 2,750 = $0.0165
        assertThat(cost("anthropic.claude-haiku-4-5-20251001-v1:0", NOW, 10_000L, 500L, null, 10_000L, null))
                .isEqualByComparingTo("0.0165");
    }

    @Test
    void anthropicLongContextTierAppliesToTheWholeCall() {
        // Sonnet 4.5 over 200k input: $6 input, $0.60 cache read, $22.50 output
        // 50,000 × 6 + 200,000 × 0.60 + 2,000 × 22.50 = 300,000 + 120,000 + 45,000 = $0.465
        assertThat(cost("claude-sonnet-4-5-20250929", NOW, 250_000L, 2_000L, 200_000L, null, null))
                .isEqualByComparingTo("0.465");
        // exactly 200k is still the base tier: 200,000 × 3 + 2,000 × 15 = $0.63
        assertThat(cost("claude-sonnet-4-20250514", NOW, 200_000L, 2_000L, null, null, null))
                .isEqualByComparingTo("0.63");
    }

    @Test
    void googleWithItsLongPromptTier() {
        // Gemini 2.5 Pro up to 200k: $1.25 / $10 → 125,000 + 40,000 = $0.165
        assertThat(cost("gemini-2.5-pro", NOW, 100_000L, 4_000L, null, null, null))
                .isEqualByComparingTo("0.165");
        // over 200k: $2.50 / $15 → 750,000 + 60,000 = $0.81
        assertThat(cost("models/gemini-2.5-pro", NOW, 300_000L, 4_000L, null, null, null))
                .isEqualByComparingTo("0.81");
        // Gemini 2.0 Flash: $0.10 input, $0.025 cached, $0.40 output: 1,000 + 250 + 400 = $0.00165
        assertThat(cost("gemini-2.0-flash-001", NOW, 20_000L, 1_000L, 10_000L, null, null))
                .isEqualByComparingTo("0.00165");
    }

    @Test
    void mistral() {
        // Mistral Large: $2 / $6 → 10,000 + 6,000 = $0.016
        assertThat(cost("mistral-large-2411", NOW, 5_000L, 1_000L, null, null, null))
                .isEqualByComparingTo("0.016");
        // Mistral Embed: $0.10 input → $0.0004
        assertThat(cost("mistral-embed", NOW, 4_000L, null, null, null, null)).isEqualByComparingTo("0.0004");
    }

    @Test
    void providerPrefixesBedrockIdsAndDatedSnapshotsMatchTheirFamily() {
        assertThat(family("gpt-4o")).isEqualTo("gpt-4o");
        assertThat(family("openai/gpt-4o")).isEqualTo("gpt-4o");
        assertThat(family("GPT-4o-mini-2024-07-18")).isEqualTo("gpt-4o-mini");
        assertThat(family("gpt-5")).isEqualTo("gpt-5");
        assertThat(family("gpt-5-nano")).isEqualTo("gpt-5-nano");
        assertThat(family("o1-mini")).isEqualTo("o1-mini");
        assertThat(family("o3-pro-2025-06-10")).isEqualTo("o3-pro");
        assertThat(family("claude-3-5-sonnet-20241022")).isEqualTo("claude-3-5-sonnet");
        assertThat(family("anthropic.claude-3-5-sonnet-20241022-v2:0")).isEqualTo("claude-3-5-sonnet");
        assertThat(family("anthropic/claude-3.5-haiku")).isEqualTo("claude-3-5-haiku");
        assertThat(family("claude-sonnet-4-20250514")).isEqualTo("claude-sonnet-4");
        assertThat(family("claude-sonnet-4-5")).isEqualTo("claude-sonnet-4-5");
        assertThat(family("global.anthropic.claude-sonnet-4-5-20250929-v1:0")).isEqualTo("claude-sonnet-4-5");
        assertThat(family("claude-opus-4-20250514")).isEqualTo("claude-opus-4");
        assertThat(family("claude-opus-4-5-20251101")).isEqualTo("claude-opus-4-5");
        assertThat(family("models/gemini-2.5-flash")).isEqualTo("gemini-2.5-flash");
        assertThat(family("gemini-2.5-flash-lite")).isEqualTo("gemini-2.5-flash-lite");
        assertThat(family("mistral-small-latest")).isEqualTo("mistral-small");
        assertThat(family("codestral-2501")).isEqualTo("codestral");
        // left out on purpose: unknown figures stay unpriced rather than guessed
        assertThat(family("gemini-2.5-flash-preview-04-17")).isNull();
        assertThat(family("my-finetune")).isNull();
    }

    @Test
    void everyEntryNamesAModelItMatchesAndACitedSource() {
        PriceList list = PriceList.builtIn();
        assertThat(list.sources()).containsOnlyKeys("openai", "anthropic", "google", "mistral");
        assertThat(list.sources().values()).allSatisfy(s -> {
            assertThat(s.url()).startsWith("https://");
            assertThat(s.asOf()).isNotNull();
        });
        assertThat(list.prices()).hasSizeGreaterThan(40).allSatisfy(p -> {
            assertThat(p.pattern().matcher(p.model()).matches())
                    .as(p.model() + " matches its own pattern")
                    .isTrue();
            assertThat(list.source(p.provider()))
                    .as(p.model() + " has a source")
                    .isNotNull();
            assertThat(p.perMillion().input().signum()).isPositive();
            assertThat(p.perMillion().output().signum()).isNotNegative();
        });
    }

    @Test
    void theOlderPerTokenFileFormatIsStillRead() throws Exception {
        PriceList list =
                PriceList.parse(dev.loupe.contracts.json.EventJson.mapper().readTree("""
                {"prices": [{"model": "m", "match": "m", "startDate": "2025-01-01",
                             "input": 2.0e-6, "cachedInput": 5.0e-7, "output": 8.0e-6}]}
                """));
        Optional<ModelPrice> price = list.table().priceFor("m", NOW);
        // 600 × 2 + 400 × 0.5 + 500 × 8 = 1,200 + 200 + 4,000 = $0.0054
        assertThat(price.orElseThrow().cost(new Usage(1_000L, 500L, 400L, null, 200L)))
                .isEqualByComparingTo("0.0054");
    }
}
