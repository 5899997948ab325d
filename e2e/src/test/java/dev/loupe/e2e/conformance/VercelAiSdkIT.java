package dev.loupe.e2e.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.e2e.LoupeStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Vercel AI SDK's own OpenTelemetry spans, bridged by the TypeScript SDK ({@code loupe-sdk}'s
 * LoupeSpanProcessor, loupeOtlpExporterConfig and aiSdkTelemetry) over OTLP JSON: {@code
 * conformance/vercel-ai-sdk.mjs}. Needs {@code sdk/typescript} built ({@code npm ci && npm run build} there).
 */
@ExtendWith({LoupeStack.Extension.class, SoftAssertionsExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VercelAiSdkIT {
    private static final List<String> SCENARIOS = List.of("generate", "stream", "loupe-context");
    private static final Map<String, String> PROVIDER_CALL = Map.of(
            "generate", "ai.generateText.doGenerate",
            "stream", "ai.streamText.doStream",
            "loupe-context", "ai.generateText.doGenerate");
    private static final Map<String, String> CALL =
            Map.of("generate", "ai.generateText", "stream", "ai.streamText", "loupe-context", "ai.generateText");

    private ConformanceRun run;

    @BeforeAll
    void runScript(LoupeStack stack) {
        Path sdk = Paths.get(System.getProperty("loupe.repo.root", ".."))
                .toAbsolutePath()
                .normalize()
                .resolve("sdk/typescript");
        if (!Files.isRegularFile(sdk.resolve("dist/esm/index.js"))) {
            throw new IllegalStateException("loupe-sdk is not built: run `npm ci && npm run build` in " + sdk
                    + " (conformance/vercel-ai-sdk.mjs imports its dist/)");
        }
        run = ConformanceRun.of(stack, "vercel-ai-sdk.mjs");
    }

    /** The provider call is the one LLM span: model, tokens, cost and content as the AI SDK reported them. */
    @Test
    void providerCallIsAnLlmSpanWithModelTokensCostAndContent(SoftAssertions soft) {
        for (String scenario : SCENARIOS) {
            JsonNode sent = run.scenario(scenario);
            List<JsonNode> spans = run.trace(scenario, "LLM", 1);
            List<JsonNode> llm = LoupeReads.ofKind(spans, "LLM");
            soft.assertThat(llm).as(scenario + ": one LLM span").hasSize(1);
            JsonNode span = llm.get(0);
            soft.assertThat(span.path("name").asText()).as(scenario).isEqualTo(PROVIDER_CALL.get(scenario));
            soft.assertThat(span.path("provider").asText())
                    .as(scenario)
                    .isEqualTo(sent.get("provider").asText());
            soft.assertThat(span.path("model").asText())
                    .as(scenario)
                    .isEqualTo(sent.get("responseModel").asText());
            soft.assertThat(span.path("requestModel").asText())
                    .as(scenario)
                    .isEqualTo(sent.get("requestModel").asText());
            soft.assertThat(span.path("inputTokens").asLong())
                    .as(scenario + " inputTokens")
                    .isEqualTo(sent.get("usage").get("inputTokens").asLong());
            soft.assertThat(span.path("outputTokens").asLong())
                    .as(scenario + " outputTokens")
                    .isEqualTo(sent.get("usage").get("outputTokens").asLong());
            soft.assertThat(span.path("costUsd").isNull())
                    .as(scenario + " cost")
                    .isFalse();
            soft.assertThat(span.path("status").asText()).as(scenario).isEqualTo("SUCCESS");
            soft.assertThat(span.path("metadata").path("finishReasons").asText())
                    .as(scenario)
                    .isEqualTo("stop");
            soft.assertThat(span.path("prompt").asText())
                    .as(scenario + " prompt")
                    .contains(sent.get("prompt").asText());
            soft.assertThat(span.path("completion").asText())
                    .as(scenario + " completion")
                    .isEqualTo(sent.get("completion").asText());
        }
    }

    /** streamText's provider call reports when its first chunk came ({@code ai.response.msToFirstChunk}). */
    @Test
    void streamedCallHasATimeToFirstToken(SoftAssertions soft) {
        JsonNode span = run.lastLlmSpan("stream");
        soft.assertThat(span.path("timeToFirstTokenMs").isIntegralNumber())
                .as("timeToFirstTokenMs in " + span)
                .isTrue();
        soft.assertThat(run.lastLlmSpan("generate").path("timeToFirstTokenMs").isNull())
                .as("no stream, no first token")
                .isTrue();
    }

    /** ai.generateText / ai.streamText wrap the provider call: CHAIN, no tokens or cost of their own. */
    @Test
    void wrappingCallIsAChainWithoutTokens(SoftAssertions soft) {
        SCENARIOS.forEach(run::lastLlmSpan);
        for (String scenario : SCENARIOS) {
            JsonNode call = run.storedTrace(scenario).stream()
                    .filter(s -> CALL.get(scenario).equals(s.path("name").asText()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(scenario + ": no " + CALL.get(scenario) + " span"));
            soft.assertThat(call.path("kind").asText()).as(scenario).isEqualTo("CHAIN");
            soft.assertThat(call.path("inputTokens").isNull()).as(scenario).isTrue();
            soft.assertThat(call.path("costUsd").isNull()).as(scenario).isTrue();
            soft.assertThat(call.path("completion").asText())
                    .as(scenario)
                    .isEqualTo(run.scenario(scenario).get("completion").asText());
        }
    }

    /** Feature, user (hashed) and session reach the provider call, from aiSdkTelemetry or a Loupe trace. */
    @Test
    void featureUserAndSessionAreOnTheProviderCall(SoftAssertions soft) {
        for (String scenario : SCENARIOS) {
            JsonNode sent = run.scenario(scenario);
            JsonNode span = run.lastLlmSpan(scenario);
            soft.assertThat(span.path("feature").asText())
                    .as(scenario)
                    .isEqualTo(sent.get("feature").asText());
            soft.assertThat(span.path("userId").asText())
                    .as(scenario + " userId, hashed")
                    .isEqualTo(run.storedUser(scenario))
                    .isNotEqualTo(sent.get("userId").asText());
            soft.assertThat(span.path("sessionId").asText())
                    .as(scenario)
                    .isEqualTo(sent.get("sessionId").asText());
        }
    }

    @Test
    void metricsCountEveryProviderCallByFeatureUserAndSession(SoftAssertions soft) {
        SCENARIOS.forEach(run::lastLlmSpan);
        double calls = SCENARIOS.size();
        soft.assertThat(run.reads.awaitTotal(
                        "request_count",
                        Map.of(
                                "feature",
                                run.scenario("generate").get("feature").asText()),
                        calls))
                .as("request_count by feature")
                .isEqualTo(calls);
        soft.assertThat(run.reads.awaitTotal("request_count", Map.of("user", run.storedUser("generate")), calls))
                .as("request_count by user")
                .isEqualTo(calls);
        Map<String, Double> sessions = new TreeMap<>();
        SCENARIOS.forEach(s -> sessions.put(run.scenario(s).get("sessionId").asText(), 1.0));
        soft.assertThat(run.reads.awaitGroups("request_count", "session", sessions))
                .as("request_count by session")
                .containsAllEntriesOf(sessions);
    }
}
