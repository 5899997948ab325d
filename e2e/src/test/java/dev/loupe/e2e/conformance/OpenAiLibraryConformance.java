package dev.loupe.e2e.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * What every instrumentation of the official {@code openai} client must deliver to Loupe, scenario by scenario
 * ({@code conformance/lib/openai-scenarios.mjs}). A subclass names its script; the script's JSON lines say what
 * was sent and what the client got back, and each test compares that with what the aggregator stored.
 */
@ExtendWith({LoupeStack.Extension.class, SoftAssertionsExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OpenAiLibraryConformance {
    static final String CHAT_MODEL = "gpt-4o-mini";
    private static final ObjectMapper JSON = new ObjectMapper();

    ConformanceRun run;

    abstract String script();

    /**
     * Whether the library records a call the API refused (HTTP 4xx/5xx). Both OpenAI instrumentations end their
     * span only when the client's promise resolves: a rejected call leaves it open, so it is never exported.
     */
    boolean recordsFailedCalls() {
        return true;
    }

    /** Whether the library reads the usage chunk of a stream (stream_options.include_usage). */
    boolean readsStreamUsage() {
        return true;
    }

    /** Whether the library records the model a stream's chunks name (else only the request model). */
    boolean readsStreamModel() {
        return true;
    }

    /** Whether the library sends usage.prompt_tokens_details.cached_tokens. */
    boolean sendsCachedTokens() {
        return true;
    }

    /** Whether the library traces {@code embeddings.create}. */
    boolean tracesEmbeddings() {
        return true;
    }

    /** LLM spans the library emits for a scenario. */
    int llmSpans(String scenario) {
        if ("embeddings".equals(scenario) || ("error".equals(scenario) && !recordsFailedCalls())) {
            return 0;
        }
        return run.scenario(scenario).path("llmCalls").asInt(1);
    }

    @BeforeAll
    void runScript(LoupeStack stack) {
        run = ConformanceRun.of(stack, script());
    }

    @Test
    void chatStoresModelTokensCostPromptAndCompletion(SoftAssertions soft) {
        JsonNode sent = run.scenario("chat");
        JsonNode span = run.lastLlmSpan("chat");
        JsonNode usage = sent.get("usage");
        soft.assertThat(span.path("model").asText())
                .isEqualTo(sent.get("responseModel").asText());
        soft.assertThat(span.path("requestModel").asText()).isEqualTo(CHAT_MODEL);
        soft.assertThat(span.path("inputTokens").asLong())
                .isEqualTo(usage.get("prompt_tokens").asLong());
        soft.assertThat(span.path("outputTokens").asLong())
                .isEqualTo(usage.get("completion_tokens").asLong());
        soft.assertThat(span.path("costUsd").isNull())
                .as("gpt-4o-mini is priced")
                .isFalse();
        soft.assertThat(span.path("costUsd").decimalValue()).isPositive();
        soft.assertThat(span.path("status").asText()).isEqualTo("SUCCESS");
        soft.assertThat(span.path("prompt").asText())
                .contains(sent.get("prompt").asText());
        soft.assertThat(span.path("completion").asText())
                .contains(sent.get("completion").asText());
    }

    @Test
    void streamWithUsageStoresTokensAndCost(SoftAssertions soft) {
        JsonNode sent = run.scenario("stream-usage");
        JsonNode span = run.lastLlmSpan("stream-usage");
        soft.assertThat(sent.get("usage").isObject())
                .as("the fake sent the usage chunk")
                .isTrue();
        // a library that ignores the chunks' model sends only the request model, which Loupe then stores
        soft.assertThat(span.path("model").asText())
                .isEqualTo(readsStreamModel() ? sent.get("responseModel").asText() : CHAT_MODEL);
        soft.assertThat(span.path("completion").asText())
                .contains(sent.get("completion").asText());
        if (!readsStreamUsage()) {
            // the library ignores the usage chunk: it sends no tokens, so Loupe has none and no cost (null, not 0)
            soft.assertThat(span.path("inputTokens").isNull()).as("inputTokens").isTrue();
            soft.assertThat(span.path("outputTokens").isNull())
                    .as("outputTokens")
                    .isTrue();
            soft.assertThat(span.path("costUsd").isNull())
                    .as("cost unknown, not 0")
                    .isTrue();
            return;
        }
        soft.assertThat(span.path("inputTokens").asLong())
                .isEqualTo(sent.get("usage").get("prompt_tokens").asLong());
        soft.assertThat(span.path("outputTokens").asLong())
                .isEqualTo(sent.get("usage").get("completion_tokens").asLong());
        soft.assertThat(span.path("costUsd").isNull()).isFalse();
    }

    /** Without stream_options.include_usage the API sends no usage: the library has no tokens to send. */
    @Test
    void streamWithoutUsageKeepsTokensAndCostNullNotZero(SoftAssertions soft) {
        JsonNode sent = run.scenario("stream-no-usage");
        JsonNode span = run.lastLlmSpan("stream-no-usage");
        soft.assertThat(sent.get("usage").isNull()).as("the API sent no usage").isTrue();
        soft.assertThat(span.path("inputTokens").isNull()).as("inputTokens").isTrue();
        soft.assertThat(span.path("outputTokens").isNull()).as("outputTokens").isTrue();
        soft.assertThat(span.path("costUsd").isNull())
                .as("cost is unknown, not 0")
                .isTrue();
        soft.assertThat(span.path("completion").asText())
                .contains(sent.get("completion").asText());
        soft.assertThat(span.path("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void maxTokensCutIsTruncated(SoftAssertions soft) {
        JsonNode sent = run.scenario("max-tokens");
        JsonNode span = run.lastLlmSpan("max-tokens");
        soft.assertThat(sent.get("finishReason").asText()).isEqualTo("length");
        soft.assertThat(span.path("status").asText()).isEqualTo("TRUNCATED");
        soft.assertThat(span.path("outputTokens").asLong())
                .isEqualTo(sent.get("usage").get("completion_tokens").asLong());
    }

    @Test
    void failedCallIsErrorUnderTheRequestModel(SoftAssertions soft) {
        JsonNode sent = run.scenario("error");
        soft.assertThat(sent.get("errorStatus").asInt()).isEqualTo(429);
        if (!recordsFailedCalls()) {
            // the library never ends (so never exports) the span of a refused call: only the app's span arrives
            // the script flushes once at the end, so the whole run arrives together: with the later scenarios'
            // LLM spans stored, this trace is complete
            awaitAllLlmSpans();
            List<JsonNode> spans = run.reads.trace(sent.get("traceId").asText(), s -> !s.isEmpty());
            soft.assertThat(LoupeReads.ofKind(spans, "LLM"))
                    .as("LLM spans of the failed call")
                    .isEmpty();
            return;
        }
        JsonNode span = run.lastLlmSpan("error");
        soft.assertThat(span.path("status").asText()).isEqualTo("ERROR");
        soft.assertThat(span.path("requestModel").asText()).isEqualTo(CHAT_MODEL);
    }

    /** Failed calls name only the request model, successful ones the dated response model: one series anyway. */
    @Test
    void failedAndSuccessfulCallsShareOneModelKey(SoftAssertions soft) {
        awaitAllLlmSpans();
        JsonNode series =
                run.reads.metric("error_rate", Map.of("groupBy", "model")).path("series");
        soft.assertThat(series).as("error_rate by model: " + series).hasSize(1);
        double rate = series.get(0).path("points").get(0).path("value").asDouble();
        if (!recordsFailedCalls()) {
            // no failed call reached Loupe (see failedCallIsErrorUnderTheRequestModel): one key, no errors
            soft.assertThat(rate).isZero();
            return;
        }
        soft.assertThat(rate)
                .as("one model key holding failures and successes")
                .isGreaterThan(0)
                .isLessThan(1);
    }

    @Test
    void cachedTokensAreStored(SoftAssertions soft) {
        JsonNode sent = run.scenario("cached");
        JsonNode span = run.lastLlmSpan("cached");
        long cached = sent.get("usage")
                .get("prompt_tokens_details")
                .get("cached_tokens")
                .asLong();
        soft.assertThat(cached).as("the fake served the second call from cache").isPositive();
        if (!sendsCachedTokens()) {
            // the library drops prompt_tokens_details: Loupe cannot know the cached share
            soft.assertThat(span.path("cachedInputTokens").isNull())
                    .as("cachedInputTokens")
                    .isTrue();
        } else {
            soft.assertThat(span.path("cachedInputTokens").asLong()).isEqualTo(cached);
        }
        soft.assertThat(span.path("inputTokens").asLong())
                .isEqualTo(sent.get("usage").get("prompt_tokens").asLong());
        soft.assertThat(span.path("costUsd").isNull()).isFalse();
    }

    @Test
    void toolSpanCarriesArgumentsAndResult(SoftAssertions soft) throws Exception {
        JsonNode sent = run.scenario("tool");
        awaitAllLlmSpans(); // the tool span ended before the scenario's second LLM call: it is stored by now
        JsonNode tool = ConformanceRun.spanOfKind(run.storedTrace("tool"), "TOOL");
        soft.assertThat(tool.path("toolName").asText())
                .isEqualTo(sent.get("toolName").asText());
        // each library wraps them its own way (OpenLLMetry: {"args": [...], "kwargs": {}}): the values must be there
        JsonNode arguments = JSON.readTree(sent.get("toolArguments").asText());
        soft.assertThat(tool.path("toolArguments").isNull()).as("toolArguments").isFalse();
        soft.assertThat(tool.path("toolArguments").asText())
                .contains(arguments.get("city").asText());
        JsonNode result = JSON.readTree(sent.get("toolResult").asText());
        soft.assertThat(tool.path("toolResult").isNull()).as("toolResult").isFalse();
        soft.assertThat(tool.path("toolResult").asText())
                .contains(result.get("sky").asText())
                .contains(result.get("temperatureC").asText());
    }

    @Test
    void llmCallAfterTheToolSeesTheToolResult(SoftAssertions soft) {
        JsonNode sent = run.scenario("tool");
        JsonNode span = run.lastLlmSpan("tool");
        soft.assertThat(span.path("completion").asText()).contains("The tool said");
        soft.assertThat(span.path("inputTokens").asLong())
                .isEqualTo(sent.get("usage").get("prompt_tokens").asLong());
    }

    @Test
    void embeddingVectorsAreDroppedAndTheTextKept(SoftAssertions soft) {
        JsonNode sent = run.scenario("embeddings");
        if (!tracesEmbeddings()) {
            // the library has no embeddings span: only the app's own span arrives
            awaitAllLlmSpans();
            List<JsonNode> spans = run.reads.trace(sent.get("traceId").asText(), s -> !s.isEmpty());
            soft.assertThat(LoupeReads.ofKind(spans, "EMBEDDING")).isEmpty();
            return;
        }
        awaitAllLlmSpans();
        JsonNode span = ConformanceRun.spanOfKind(run.storedTrace("embeddings"), "EMBEDDING");
        soft.assertThat(sent.get("dimensions").asInt()).isEqualTo(1536);
        soft.assertThat(span.path("model").asText())
                .isEqualTo(sent.get("responseModel").asText());
        span.path("attributes")
                .fieldNames()
                .forEachRemaining(name -> soft.assertThat(name)
                        .as("no embedding vector among the attributes")
                        .doesNotContain("vector")
                        .doesNotEndWith(".embedding"));
        soft.assertThat(span.path("attributes").toString()).hasSizeLessThan(4096);
        soft.assertThat(span.path("prompt").asText() + span.path("attributes").toString())
                .as("the embedded text is kept")
                .contains(sent.get("input").get(0).asText());
    }

    @Test
    void featureIsOnTheRootAndCountsEveryLlmCall(SoftAssertions soft) {
        JsonNode root = run.rootSpan("chat", "LLM", 1);
        String feature = run.scenario("chat").get("feature").asText();
        soft.assertThat(root.path("feature").asText()).isEqualTo(feature);
        double expected = expectedLlmCalls();
        awaitAllLlmSpans();
        soft.assertThat(run.reads.awaitTotal("request_count", Map.of("feature", feature), expected))
                .isEqualTo(expected);
    }

    @Test
    void userIsOnEveryLlmSpanAsItsHash(SoftAssertions soft) {
        for (String scenario : llmScenarios()) {
            soft.assertThat(run.lastLlmSpan(scenario).path("userId").asText())
                    .as(scenario)
                    .isEqualTo(run.storedUser(scenario));
        }
        double expected = expectedLlmCalls();
        soft.assertThat(run.reads.awaitTotal("request_count", Map.of("user", run.storedUser("chat")), expected))
                .as("request_count of the user")
                .isEqualTo(expected);
    }

    @Test
    void sessionIsOnEveryLlmSpan(SoftAssertions soft) {
        Map<String, Double> expected = new java.util.TreeMap<>();
        for (String scenario : llmScenarios()) {
            String session = run.scenario(scenario).get("sessionId").asText();
            soft.assertThat(run.lastLlmSpan(scenario).path("sessionId").asText())
                    .as(scenario)
                    .isEqualTo(session);
            expected.put(session, (double) llmSpans(scenario));
        }
        soft.assertThat(run.reads.awaitGroups("request_count", "session", expected))
                .as("request_count by session")
                .containsAllEntriesOf(expected);
    }

    private List<String> llmScenarios() {
        return run.scenarios.keySet().stream().filter(s -> llmSpans(s) > 0).toList();
    }

    private double expectedLlmCalls() {
        return llmScenarios().stream().mapToInt(this::llmSpans).sum();
    }

    void awaitAllLlmSpans() {
        llmScenarios().forEach(run::lastLlmSpan);
    }
}
