package dev.loupe.e2e.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.e2e.LoupeStack;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The plain OpenTelemetry JS SDK with hand-written GenAI semantic-convention spans over OTLP JSON:
 * {@code conformance/otel-genai.mjs}. User and session are on the app's parent span only.
 */
@ExtendWith({LoupeStack.Extension.class, SoftAssertionsExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OtelGenAiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private ConformanceRun run;

    @BeforeAll
    void runScript(LoupeStack stack) {
        run = ConformanceRun.of(stack, "otel-genai.mjs");
    }

    private List<String> llmScenarios() {
        return run.scenarios.values().stream()
                .filter(s -> s.path("llmCalls").asInt(1) > 0
                        && !"embeddings".equals(s.get("scenario").asText()))
                .map(s -> s.get("scenario").asText())
                .toList();
    }

    @Test
    void chatStoresModelTokensCostAndContentFromTheOperationDetailsEvent(SoftAssertions soft) {
        JsonNode sent = run.scenario("chat");
        JsonNode span = run.lastLlmSpan("chat");
        soft.assertThat(span.path("model").asText())
                .isEqualTo(sent.get("responseModel").asText());
        soft.assertThat(span.path("requestModel").asText())
                .isEqualTo(sent.get("requestModel").asText());
        soft.assertThat(span.path("inputTokens").asLong())
                .isEqualTo(sent.get("usage").get("prompt_tokens").asLong());
        soft.assertThat(span.path("outputTokens").asLong())
                .isEqualTo(sent.get("usage").get("completion_tokens").asLong());
        soft.assertThat(span.path("costUsd").isNull()).isFalse();
        soft.assertThat(span.path("status").asText()).isEqualTo("SUCCESS");
        soft.assertThat(span.path("prompt").asText())
                .as("prompt")
                .contains(sent.get("prompt").asText());
        soft.assertThat(span.path("completion").asText())
                .as("completion")
                .contains(sent.get("completion").asText());
    }

    @Test
    void contentFromTheOlderPerMessageEvents(SoftAssertions soft) {
        JsonNode sent = run.scenario("chat-message-events");
        JsonNode span = run.lastLlmSpan("chat-message-events");
        soft.assertThat(span.path("prompt").asText())
                .as("prompt")
                .contains(sent.get("prompt").asText());
        soft.assertThat(span.path("completion").asText())
                .as("completion")
                .contains(sent.get("completion").asText());
    }

    @Test
    void streamWithUsageStoresTokensAndCost(SoftAssertions soft) {
        JsonNode sent = run.scenario("stream-usage");
        JsonNode span = run.lastLlmSpan("stream-usage");
        soft.assertThat(span.path("inputTokens").asLong())
                .isEqualTo(sent.get("usage").get("prompt_tokens").asLong());
        soft.assertThat(span.path("outputTokens").asLong())
                .isEqualTo(sent.get("usage").get("completion_tokens").asLong());
        soft.assertThat(span.path("costUsd").isNull()).isFalse();
    }

    /** The API sent no usage, so the app had no token counts to put on the span: cost stays unknown, not 0. */
    @Test
    void streamWithoutUsageKeepsTokensAndCostNullNotZero(SoftAssertions soft) {
        JsonNode span = run.lastLlmSpan("stream-no-usage");
        soft.assertThat(run.scenario("stream-no-usage").get("usage").isNull()).isTrue();
        soft.assertThat(span.path("inputTokens").isNull()).isTrue();
        soft.assertThat(span.path("outputTokens").isNull()).isTrue();
        soft.assertThat(span.path("costUsd").isNull()).as("cost unknown, not 0").isTrue();
    }

    @Test
    void maxTokensCutIsTruncated(SoftAssertions soft) {
        soft.assertThat(run.lastLlmSpan("max-tokens").path("status").asText()).isEqualTo("TRUNCATED");
    }

    @Test
    void failedCallIsErrorWithItsType(SoftAssertions soft) {
        JsonNode span = run.lastLlmSpan("error");
        soft.assertThat(span.path("status").asText()).isEqualTo("ERROR");
        soft.assertThat(span.path("errorType").asText()).isEqualTo("RateLimitError");
        soft.assertThat(span.path("requestModel").asText()).isEqualTo("gpt-4o-mini");
    }

    /** gpt-4o-mini fails once and succeeds otherwise; claude-haiku-4-5 only succeeds: two keys, neither at 100 %. */
    @Test
    void failedAndSuccessfulCallsShareOneModelKey(SoftAssertions soft) {
        llmScenarios().forEach(run::lastLlmSpan);
        JsonNode series =
                run.reads.metric("error_rate", Map.of("groupBy", "model")).path("series");
        soft.assertThat(series).as("error_rate by model: " + series).hasSize(2);
        List<Double> rates = new ArrayList<>();
        series.forEach(s -> rates.add(s.path("points").get(0).path("value").asDouble()));
        soft.assertThat(rates).as("error_rate by model: " + series).allMatch(r -> r < 1.0);
        soft.assertThat(rates.stream().filter(r -> r > 0)).hasSize(1);
    }

    @Test
    void cachedTokensAreStored(SoftAssertions soft) {
        JsonNode sent = run.scenario("cached");
        long cached = sent.get("usage")
                .get("prompt_tokens_details")
                .get("cached_tokens")
                .asLong();
        soft.assertThat(cached).isPositive();
        soft.assertThat(run.lastLlmSpan("cached").path("cachedInputTokens").asLong())
                .isEqualTo(cached);
    }

    @Test
    void cacheCreationTokensAreStoredAndPricedAboveCacheReads(SoftAssertions soft) {
        JsonNode sent = run.scenario("cache-write");
        JsonNode write = run.lastLlmSpan("cache-write");
        JsonNode read = run.lastLlmSpan("cache-read");
        long written = sent.get("usage").get("cache_creation_input_tokens").asLong();
        soft.assertThat(written).isPositive();
        soft.assertThat(write.path("cacheWriteInputTokens").asLong()).isEqualTo(written);
        soft.assertThat(write.path("inputTokens").asLong())
                .isEqualTo(sent.get("expectedInputTokens").asLong());
        soft.assertThat(read.path("cachedInputTokens").asLong())
                .isEqualTo(run.scenario("cache-read")
                        .get("usage")
                        .get("cache_read_input_tokens")
                        .asLong());
        // writing the prefix costs 1.25 × the input price, reading it 0.1 ×
        soft.assertThat(write.path("costUsd").decimalValue())
                .isGreaterThan(read.path("costUsd").decimalValue().multiply(BigDecimal.valueOf(3)));
    }

    @Test
    void toolSpanCarriesArgumentsAndResult(SoftAssertions soft) throws Exception {
        JsonNode sent = run.scenario("tool");
        llmScenarios().forEach(run::lastLlmSpan); // the run arrives in one flush: then the tool's trace is complete
        JsonNode tool = ConformanceRun.spanOfKind(run.storedTrace("tool"), "TOOL");
        soft.assertThat(tool.path("toolName").asText()).isEqualTo("get_weather");
        soft.assertThat(tool.path("toolArguments").isNull()).as("toolArguments").isFalse();
        soft.assertThat(JSON.readTree(tool.path("toolArguments").asText()))
                .isEqualTo(JSON.readTree(sent.get("toolArguments").asText()));
        soft.assertThat(tool.path("toolResult").isNull()).as("toolResult").isFalse();
        soft.assertThat(JSON.readTree(tool.path("toolResult").asText()))
                .isEqualTo(JSON.readTree(sent.get("toolResult").asText()));
    }

    @Test
    void embeddingsArePriced(SoftAssertions soft) {
        JsonNode sent = run.scenario("embeddings");
        llmScenarios().forEach(run::lastLlmSpan);
        JsonNode span = ConformanceRun.spanOfKind(run.storedTrace("embeddings"), "EMBEDDING");
        soft.assertThat(span.path("model").asText())
                .isEqualTo(sent.get("responseModel").asText());
        soft.assertThat(span.path("inputTokens").asLong())
                .isEqualTo(sent.get("usage").get("prompt_tokens").asLong());
        soft.assertThat(span.path("costUsd").isNull())
                .as("text-embedding-3-small is priced")
                .isFalse();
    }

    @Test
    void featureIsOnTheRootAndCountsEveryLlmCall(SoftAssertions soft) {
        String feature = run.scenario("chat").get("feature").asText();
        soft.assertThat(run.rootSpan("chat", "LLM", 1).path("feature").asText()).isEqualTo(feature);
        double expected = llmCalls(llmScenarios());
        llmScenarios().forEach(run::lastLlmSpan);
        soft.assertThat(run.reads.awaitTotal("request_count", Map.of("feature", feature), expected))
                .isEqualTo(expected);
    }

    /** user.id on the app's parent span reaches the LLM calls below it (per-user metrics count them). */
    @Test
    void userOnTheParentSpanCountsForTheLlmCallsBelowIt(SoftAssertions soft) {
        llmScenarios().forEach(run::lastLlmSpan);
        double expected = llmCalls(llmScenarios());
        soft.assertThat(run.reads.awaitTotal("request_count", Map.of("user", run.storedUser("chat")), expected))
                .isEqualTo(expected);
    }

    /** session.id on the app's parent span reaches the LLM calls below it (per-session metrics count them). */
    @Test
    void sessionOnTheParentSpanCountsForTheLlmCallsBelowIt(SoftAssertions soft) {
        Map<String, Double> expected = new java.util.TreeMap<>();
        for (String scenario : llmScenarios()) {
            run.lastLlmSpan(scenario);
            expected.put(run.scenario(scenario).get("sessionId").asText(), llmCalls(List.of(scenario)));
        }
        soft.assertThat(run.reads.awaitGroups("request_count", "session", expected))
                .as("request_count by session")
                .containsAllEntriesOf(expected);
    }

    private double llmCalls(List<String> scenarios) {
        return scenarios.stream()
                .mapToInt(s -> run.scenario(s).path("llmCalls").asInt(1))
                .sum();
    }
}
