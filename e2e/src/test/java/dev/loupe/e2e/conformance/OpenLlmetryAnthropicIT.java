package dev.loupe.e2e.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.e2e.LoupeStack;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenLLMetry-JS (Traceloop) on the official {@code @anthropic-ai/sdk}: {@code conformance/openllmetry-anthropic.mjs}.
 * Anthropic is where cache-write tokens appear; its {@code input_tokens} leave cache reads and writes out.
 */
@ExtendWith({LoupeStack.Extension.class, SoftAssertionsExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenLlmetryAnthropicIT {
    private static final String MODEL = "claude-haiku-4-5";
    private static final List<String> SCENARIOS = List.of("chat", "cache-write", "cache-read", "max-tokens", "error");

    private ConformanceRun run;

    @BeforeAll
    void runScript(LoupeStack stack) {
        run = ConformanceRun.of(stack, "openllmetry-anthropic.mjs");
    }

    @Test
    void chatStoresModelTokensCostPromptAndCompletion(SoftAssertions soft) {
        JsonNode sent = run.scenario("chat");
        JsonNode span = run.lastLlmSpan("chat");
        soft.assertThat(span.path("provider").asText()).isEqualTo("anthropic");
        soft.assertThat(span.path("model").asText())
                .isEqualTo(sent.get("responseModel").asText());
        soft.assertThat(span.path("requestModel").asText()).isEqualTo(MODEL);
        soft.assertThat(span.path("inputTokens").asLong())
                .isEqualTo(sent.get("usage").get("input_tokens").asLong());
        soft.assertThat(span.path("outputTokens").asLong())
                .isEqualTo(sent.get("usage").get("output_tokens").asLong());
        soft.assertThat(span.path("costUsd").isNull())
                .as("claude-haiku-4-5 is priced")
                .isFalse();
        soft.assertThat(span.path("status").asText()).isEqualTo("SUCCESS");
        soft.assertThat(span.path("prompt").asText())
                .contains(sent.get("prompt").asText());
        soft.assertThat(span.path("completion").asText())
                .contains(sent.get("completion").asText());
    }

    @Test
    void cacheWriteTokensAreStoredAndPricedAboveCacheReads(SoftAssertions soft) {
        JsonNode sent = run.scenario("cache-write");
        JsonNode write = run.lastLlmSpan("cache-write");
        long written = sent.get("usage").get("cache_creation_input_tokens").asLong();
        soft.assertThat(written)
                .as("the fake wrote the system prompt to its cache")
                .isPositive();
        soft.assertThat(write.path("cacheWriteInputTokens").asLong()).isEqualTo(written);
        JsonNode read = run.lastLlmSpan("cache-read");
        // the same prompt prefix written (1.25 × the input price) and then read (0.1 ×): writing costs far more
        soft.assertThat(write.path("costUsd").isNull()).isFalse();
        soft.assertThat(read.path("costUsd").isNull()).isFalse();
        soft.assertThat(write.path("costUsd").decimalValue())
                .isGreaterThan(read.path("costUsd").decimalValue().multiply(java.math.BigDecimal.valueOf(3)));
    }

    @Test
    void cacheReadTokensAreStored(SoftAssertions soft) {
        JsonNode sent = run.scenario("cache-read");
        JsonNode span = run.lastLlmSpan("cache-read");
        long read = sent.get("usage").get("cache_read_input_tokens").asLong();
        soft.assertThat(read).as("the fake served the prefix from its cache").isPositive();
        soft.assertThat(span.path("cachedInputTokens").asLong()).isEqualTo(read);
        soft.assertThat(span.path("cacheWriteInputTokens").asLong(0)).isZero();
    }

    @Test
    void maxTokensCutIsTruncated(SoftAssertions soft) {
        JsonNode sent = run.scenario("max-tokens");
        soft.assertThat(sent.get("finishReason").asText()).isEqualTo("max_tokens");
        soft.assertThat(run.lastLlmSpan("max-tokens").path("status").asText()).isEqualTo("TRUNCATED");
    }

    @Test
    void failedCallIsErrorUnderTheRequestModel(SoftAssertions soft) {
        JsonNode sent = run.scenario("error");
        JsonNode span = run.lastLlmSpan("error");
        soft.assertThat(sent.get("errorStatus").asInt()).isEqualTo(429);
        soft.assertThat(span.path("status").asText()).isEqualTo("ERROR");
        soft.assertThat(span.path("requestModel").asText()).isEqualTo(MODEL);
    }

    @Test
    void failedAndSuccessfulCallsShareOneModelKey(SoftAssertions soft) {
        SCENARIOS.forEach(run::lastLlmSpan);
        JsonNode series =
                run.reads.metric("error_rate", Map.of("groupBy", "model")).path("series");
        soft.assertThat(series).as("error_rate by model: " + series).hasSize(1);
        double rate = series.get(0).path("points").get(0).path("value").asDouble();
        soft.assertThat(rate).isGreaterThan(0).isLessThan(1);
    }

    @Test
    void featureIsOnTheRootAndCountsEveryLlmCall(SoftAssertions soft) {
        String feature = run.scenario("chat").get("feature").asText();
        soft.assertThat(run.rootSpan("chat", "LLM", 1).path("feature").asText()).isEqualTo(feature);
        SCENARIOS.forEach(run::lastLlmSpan);
        soft.assertThat(run.reads.awaitTotal("request_count", Map.of("feature", feature), SCENARIOS.size()))
                .isEqualTo(SCENARIOS.size());
    }

    /** OpenLLMetry's association properties user_id and session_id are Loupe's user and session. */
    @Test
    void associationPropertiesAreUserAndSession(SoftAssertions soft) {
        for (String scenario : SCENARIOS) {
            JsonNode span = run.lastLlmSpan(scenario);
            soft.assertThat(span.path("userId").asText()).as(scenario).isEqualTo(run.storedUser(scenario));
            soft.assertThat(span.path("sessionId").asText())
                    .as(scenario)
                    .isEqualTo(run.scenario(scenario).get("sessionId").asText());
        }
    }
}
