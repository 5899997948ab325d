package dev.loupe.collector.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.loupe.collector.ingest.PlainNormalizers;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The attributes real instrumentation libraries send, shaped as they send them (names and value types read from
 * OpenInference-JS 2.x, OpenLLMetry-JS 0.27 and the OTel GenAI conventions), through the same mapper, validator
 * and normaliser the OTLP endpoints run.
 */
class OtlpAttributeCoverageTest {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String OTHER_TRACE = "1bf7651916cd43dd8448eb211c80319d";
    private static final long START = 1_764_000_000_000_000_000L;

    private SimpleMeterRegistry registry;
    private OtlpRequestMapper mapper;

    @BeforeEach
    void setUp() {
        registry = new SimpleMeterRegistry();
        mapper = new OtlpRequestMapper(PlainNormalizers.spans(), PlainNormalizers.decisions(), 1000, registry);
    }

    // 1. finish reasons

    @Test
    void openInferenceFinishReasonLengthIsTruncatedWithBothModels() {
        SpanRecord span = one(span("OpenAI Chat Completions", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("openinference.span.kind", "LLM"),
                        kv("llm.model_name", "gpt-4o-mini-2024-07-18"),
                        kv("llm.invocation_parameters", "{\"model\":\"gpt-4o-mini\",\"max_tokens\":5}"),
                        kv("llm.system", "openai"),
                        kv("llm.provider", "openai"),
                        kv("input.value", "{\"model\":\"gpt-4o-mini\",\"messages\":[]}"),
                        kv("llm.input_messages.0.message.role", "user"),
                        kv("llm.input_messages.0.message.content", "Tell me a long story"),
                        kv("llm.output_messages.0.message.role", "assistant"),
                        kv("llm.output_messages.0.message.content", "Once upon a"),
                        kv("llm.finish_reason", "length"),
                        kv("llm.token_count.prompt", 12L),
                        kv("llm.token_count.completion", 5L),
                        kv("llm.token_count.total", 17L))));

        assertThat(span.status()).isEqualTo(Outcome.TRUNCATED);
        assertThat(span.metadata()).containsEntry("finishReasons", "length");
        assertThat(span.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(span.requestModel()).isEqualTo("gpt-4o-mini");
        assertThat(span.costUsd()).isNotNull();
        // the invocation parameters are read, not consumed: the other parameters are still there
        assertThat(span.attributes()).containsKey("llm.invocation_parameters").doesNotContainKey("llm.finish_reason");
    }

    @Test
    void outputMessageFinishReasonsCountAndContentFilterStaysSuccess() {
        SpanRecord cut = one(span("chat", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("openinference.span.kind", "LLM"),
                        kv("llm.model_name", "gpt-4o"),
                        kv("llm.output_messages.0.message.role", "assistant"),
                        kv("llm.output_messages.0.message.content", "Once"),
                        kv("llm.output_messages.0.message.finish_reason", "max_tokens"))));
        assertThat(cut.status()).isEqualTo(Outcome.TRUNCATED);
        assertThat(cut.metadata()).containsEntry("finishReasons", "max_tokens");

        SpanRecord filtered = one(span("chat", "b7ad6b7169203332", null)
                .addAllAttributes(List.of(
                        kv("gen_ai.operation.name", "chat"),
                        kv("gen_ai.request.model", "gpt-4o"),
                        kv("gen_ai.completion.0.role", "assistant"),
                        kv("gen_ai.completion.0.content", ""),
                        kv("gen_ai.completion.0.finish_reason", "content_filter"))));
        assertThat(filtered.status()).isEqualTo(Outcome.SUCCESS);
        assertThat(filtered.metadata()).containsEntry("finishReasons", "content_filter");

        SpanRecord legacyCut = one(span("openai.chat", "b7ad6b7169203333", null)
                .addAllAttributes(List.of(
                        kv("gen_ai.request.model", "gpt-4o"),
                        kv("gen_ai.completion.0.role", "assistant"),
                        kv("gen_ai.completion.0.content", "Once"),
                        kv("gen_ai.completion.0.finish_reason", "length"))));
        assertThat(legacyCut.status()).isEqualTo(Outcome.TRUNCATED);
    }

    @Test
    void currentOutputMessagesCarryTheirFinishReason() {
        SpanRecord span = one(span("chat gpt-4o", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("gen_ai.operation.name", "chat"),
                        kv("gen_ai.request.model", "gpt-4o"),
                        kv(
                                "gen_ai.output.messages",
                                "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Once\"}],"
                                        + "\"finish_reason\":\"length\"}]"))));
        assertThat(span.status()).isEqualTo(Outcome.TRUNCATED);
        assertThat(span.metadata()).containsEntry("finishReasons", "length");
    }

    // 2. OpenLLMetry's association properties and entities

    @Test
    void traceloopAssociationPropertiesGiveUserSessionAndMetadata() {
        List<SpanRecord> spans = map(request(
                "@traceloop/instrumentation-openai",
                span("openai.chat", "b7ad6b7169203331", null)
                        .addAllAttributes(List.of(
                                kv("gen_ai.request.model", "gpt-4o"),
                                kv("traceloop.association.properties.user_id", "u-42"),
                                kv("traceloop.association.properties.session_id", "s-7"),
                                kv("traceloop.association.properties.tenant", "acme"),
                                kv("traceloop.workflow.name", "support_answer")))
                        .build(),
                span("app", "b7ad6b7169203332", null)
                        .addAttributes(kv("user.id", "u-42"))
                        .build()));
        SpanRecord llm = spans.get(0);

        assertThat(llm.userId()).isNotEqualTo("u-42").isEqualTo(spans.get(1).userId());
        assertThat(llm.sessionId()).isEqualTo("s-7");
        assertThat(llm.metadata())
                .containsEntry("tenant", "acme")
                .containsEntry("workflowName", "support_answer")
                .doesNotContainKeys("user_id", "session_id");
        assertThat(llm.attributes()).noneSatisfy((k, v) -> assertThat(k).startsWith("traceloop."));
    }

    @Test
    void traceloopToolSpanBecomesAToolCall() {
        SpanRecord tool = one(span("get_weather.tool", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("traceloop.span.kind", "tool"),
                        kv("traceloop.entity.name", "get_weather"),
                        kv("traceloop.entity.input", "{\"args\":[\"Paris\"],\"kwargs\":{}}"),
                        kv("traceloop.entity.output", "\"sunny\""))));
        assertThat(tool.kind()).isEqualTo(SpanKind.TOOL);
        assertThat(tool.toolName()).isEqualTo("get_weather");
        assertThat(tool.toolArguments()).isEqualTo("{\"args\":[\"Paris\"],\"kwargs\":{}}");
        assertThat(tool.toolResult()).isEqualTo("\"sunny\"");
    }

    // 3. cache-creation tokens

    @Test
    void openLlmetryJsAnthropicInputGetsTheCacheAdded() {
        // @traceloop/instrumentation-anthropic 0.27 sets Anthropic's usage.input_tokens as it is: without the cache
        SpanRecord span = one(
                "@traceloop/instrumentation-anthropic",
                span("anthropic.chat", "b7ad6b7169203331", null)
                        .addAllAttributes(List.of(
                                kv("gen_ai.provider.name", "anthropic"),
                                kv("gen_ai.operation.name", "chat"),
                                kv("gen_ai.request.model", "claude-sonnet-4-5"),
                                kv("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
                                kv("gen_ai.usage.input_tokens", 1500L),
                                kv("gen_ai.usage.output_tokens", 40L),
                                kv("gen_ai.usage.cache_creation.input_tokens", 1200L),
                                kv("gen_ai.usage.cache_read.input_tokens", 300L),
                                kv("gen_ai.usage.total_tokens", 1540L))));
        assertThat(span.inputTokens()).isEqualTo(3000L);
        assertThat(span.cacheWriteInputTokens()).isEqualTo(1200L);
        assertThat(span.cachedInputTokens()).isEqualTo(300L);
        assertThat(span.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(span.requestModel()).isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void semanticConventionInputAlreadyHoldsTheCache() {
        SpanRecord span = one(
                "opentelemetry.instrumentation.anthropic",
                span("chat", "b7ad6b7169203331", null)
                        .addAllAttributes(List.of(
                                kv("gen_ai.system", "Anthropic"),
                                kv("gen_ai.request.model", "claude-sonnet-4-5"),
                                kv("gen_ai.usage.input_tokens", 3000L),
                                kv("gen_ai.usage.cache_creation_input_tokens", 1200L),
                                kv("gen_ai.usage.cache_read_input_tokens", 300L))));
        assertThat(span.inputTokens()).isEqualTo(3000L);
        assertThat(span.cacheWriteInputTokens()).isEqualTo(1200L);
        assertThat(span.cachedInputTokens()).isEqualTo(300L);
        assertThat(span.attributes())
                .doesNotContainKeys("gen_ai.usage.cache_creation_input_tokens", "gen_ai.usage.cache_read_input_tokens");
    }

    @Test
    void everyCacheWriteSpellingIsReadAndAnInputBelowItsCacheCannotHoldIt() {
        SpanRecord openInference = one(span("llm", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("openinference.span.kind", "LLM"),
                        kv("llm.model_name", "claude-3-5-haiku-20241022"),
                        kv("llm.token_count.prompt", 2000L),
                        kv("llm.token_count.prompt_details.cache_write", 1800L),
                        kv("llm.token_count.prompt_details.cache_read", 0L))));
        assertThat(openInference.cacheWriteInputTokens()).isEqualTo(1800L);
        assertThat(openInference.inputTokens()).isEqualTo(2000L);

        SpanRecord anthropicNames = one(span("llm", "b7ad6b7169203332", null)
                .addAllAttributes(List.of(
                        kv("gen_ai.request.model", "claude-3-5-haiku-20241022"),
                        kv("gen_ai.usage.input_tokens", 20L),
                        kv("cache_creation_input_tokens", 1800L),
                        kv("cache_read_input_tokens", 100L))));
        assertThat(anthropicNames.cacheWriteInputTokens()).isEqualTo(1800L);
        assertThat(anthropicNames.cachedInputTokens()).isEqualTo(100L);
        assertThat(anthropicNames.inputTokens()).isEqualTo(1920L);
    }

    @Test
    void negativeCacheWriteTokensRejectTheSpanNamingTheField() {
        OtlpRequestMapper.Mapping mapping = mapper.map(
                request(
                        "s",
                        span("llm", "b7ad6b7169203331", null)
                                .addAllAttributes(List.of(
                                        kv("gen_ai.request.model", "gpt-4o"),
                                        kv("gen_ai.usage.input_tokens", 10L),
                                        kv("gen_ai.usage.cache_creation.input_tokens", -1L)))
                                .build()),
                "p-1",
                Instant.now());
        assertThat(mapping.spans()).isEmpty();
        assertThat(mapping.problems()).singleElement().asString().contains("cacheWriteInputTokens");
    }

    // 4. user, session and feature along the trace

    // Vercel AI SDK (ai 6.0.333): the attributes as its generateText sends them, with LoupeSpanProcessor's

    @Test
    void aiSdkProviderCallIsAnLlmSpanWithPromptCompletionAndUsage() {
        List<SpanRecord> spans = map(request(
                "ai",
                span("ai.generateText", "c000000000000001", null)
                        .addAllAttributes(List.of(
                                kv("operation.name", "ai.generateText support"),
                                kv("ai.operationId", "ai.generateText"),
                                kv("ai.telemetry.functionId", "support"),
                                kv("ai.model.provider", "openai.chat"),
                                kv("ai.model.id", "gpt-4o-mini"),
                                kv("ai.telemetry.metadata.loupe.feature", "support"),
                                kv("ai.telemetry.metadata.loupe.user_id", "u-7"),
                                kv("ai.telemetry.metadata.loupe.session_id", "s-7"),
                                kv("ai.telemetry.metadata.tenant", "acme"),
                                kv("loupe.feature", "support"),
                                kv("user.id", "u-7"),
                                kv("session.id", "s-7"),
                                kv("ai.prompt", "{\"prompt\":\"Say hi\"}"),
                                kv("ai.response.finishReason", "stop"),
                                kv("ai.response.text", "Hello there"),
                                kv("ai.usage.inputTokens", 12L),
                                kv("ai.usage.outputTokens", 7L),
                                kv("ai.usage.totalTokens", 19L)))
                        .build(),
                span("ai.generateText.doGenerate", "c000000000000002", "c000000000000001")
                        .addAllAttributes(List.of(
                                kv("ai.operationId", "ai.generateText.doGenerate"),
                                kv("ai.telemetry.functionId", "support"),
                                kv("ai.model.provider", "openai.chat"),
                                kv("ai.model.id", "gpt-4o-mini"),
                                kv("ai.telemetry.metadata.loupe.feature", "support"),
                                kv("ai.telemetry.metadata.tenant", "acme"),
                                kv("loupe.metadata.tenant", "acme-app"),
                                kv(
                                        "ai.prompt.messages",
                                        "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Say hi\"}]}]"),
                                kv("gen_ai.system", "openai.chat"),
                                kv("gen_ai.request.model", "gpt-4o-mini"),
                                kv("ai.response.finishReason", "length"),
                                kv("ai.response.text", "Hello there"),
                                kv("ai.response.model", "gpt-4o-mini-2024-07-18"),
                                kv("ai.usage.inputTokens", 12L),
                                kv("ai.usage.inputTokenDetails.noCacheTokens", 10L),
                                kv("ai.usage.inputTokenDetails.cacheReadTokens", 2L),
                                kv("ai.usage.outputTokens", 7L),
                                kv("ai.usage.outputTokenDetails.reasoningTokens", 3L),
                                kv("ai.usage.totalTokens", 19L),
                                kv("ai.usage.cachedInputTokens", 2L),
                                kvPair("gen_ai.response.finish_reasons", array(string("length"))),
                                kv("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                                kv("gen_ai.usage.input_tokens", 12L),
                                kv("gen_ai.usage.output_tokens", 7L)))
                        .build(),
                span("ai.toolCall", "c000000000000003", "c000000000000001")
                        .addAllAttributes(List.of(
                                kv("ai.operationId", "ai.toolCall"),
                                kv("ai.toolCall.name", "get_weather"),
                                kv("ai.toolCall.id", "call-1"),
                                kv("ai.toolCall.args", "{\"city\":\"Paris\"}"),
                                kv("ai.toolCall.result", "{\"celsius\":21}")))
                        .build()));
        SpanRecord call = spans.get(0);
        SpanRecord llm = spans.get(1);
        SpanRecord tool = spans.get(2);

        // the wrapping call is no second model call: no model, no tokens, no cost
        assertThat(call.kind()).isEqualTo(SpanKind.CHAIN);
        assertThat(call.model()).isNull();
        assertThat(call.inputTokens()).isNull();
        assertThat(call.costUsd()).isNull();
        assertThat(call.prompt()).isEqualTo("{\"prompt\":\"Say hi\"}");
        assertThat(call.completion()).isEqualTo("Hello there");
        assertThat(call.metadata()).containsEntry("tenant", "acme").containsEntry("functionId", "support");
        assertThat(call.metadata()).doesNotContainKeys("loupe.feature", "loupe.user_id", "loupe.session_id");
        assertThat(call.attributes()).doesNotContainKey("ai.telemetry.metadata.tenant");

        assertThat(llm.kind()).isEqualTo(SpanKind.LLM);
        assertThat(llm.provider()).isEqualTo("openai.chat");
        assertThat(llm.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(llm.requestModel()).isEqualTo("gpt-4o-mini");
        assertThat(llm.inputTokens()).isEqualTo(12L); // the AI SDK's input includes the cache read
        assertThat(llm.outputTokens()).isEqualTo(7L);
        assertThat(llm.cachedInputTokens()).isEqualTo(2L);
        assertThat(llm.reasoningTokens()).isEqualTo(3L);
        assertThat(llm.costUsd()).isNotNull();
        assertThat(json(llm.prompt()).get(0).get("content").get(0).get("text").asText())
                .isEqualTo("Say hi");
        assertThat(llm.completion()).isEqualTo("Hello there");
        assertThat(llm.status()).isEqualTo(Outcome.TRUNCATED);
        assertThat(llm.metadata()).containsEntry("finishReasons", "length").containsEntry("tenant", "acme-app");
        assertThat(llm.feature()).isEqualTo("support");
        assertThat(llm.userId()).isEqualTo(call.userId()).isNotNull().isNotEqualTo("u-7"); // inherited, hashed
        assertThat(llm.sessionId()).isEqualTo("s-7");
        assertThat(llm.attributes())
                .doesNotContainKeys(
                        "ai.usage.inputTokens",
                        "ai.usage.totalTokens",
                        "ai.response.text",
                        "ai.prompt.messages",
                        "ai.model.id",
                        "ai.response.finishReason");

        assertThat(tool.kind()).isEqualTo(SpanKind.TOOL);
        assertThat(tool.toolName()).isEqualTo("get_weather");
        assertThat(tool.toolArguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(tool.toolResult()).isEqualTo("{\"celsius\":21}");
        assertThat(tool.metadata()).containsEntry("toolCallId", "call-1");
    }

    @Test
    void aiSdkNamesAloneGiveModelUsageAndIdentityWithoutLoupeSpanProcessor() {
        SpanRecord llm = one(span("ai.streamText.doStream", "c000000000000004", null)
                .addAllAttributes(List.of(
                        kv("ai.operationId", "ai.streamText.doStream"),
                        kv("ai.model.provider", "openai.responses"),
                        kv("ai.model.id", "gpt-4o-mini"),
                        kv("ai.telemetry.metadata.loupe.feature", "search"),
                        kv("ai.telemetry.metadata.loupe.user_id", "u-8"),
                        kv("ai.telemetry.metadata.loupe.session_id", "s-8"),
                        kv("ai.usage.inputTokens", 40L),
                        kv("ai.usage.inputTokenDetails.cacheWriteTokens", 30L),
                        kv("ai.usage.outputTokens", 5L),
                        kvPair(
                                "ai.response.msToFirstChunk",
                                AnyValue.newBuilder().setDoubleValue(412.7).build()),
                        kv("ai.response.text", ""),
                        kv("ai.response.toolCalls", "[{\"toolName\":\"search\"}]"))));
        SpanRecord plain = one(span("ai.streamText.doStream", "c000000000000005", null)
                .addAllAttributes(List.of(kv("ai.operationId", "ai.streamText.doStream"), kv("user.id", "u-8"))));

        assertThat(llm.kind()).isEqualTo(SpanKind.LLM);
        assertThat(llm.provider()).isEqualTo("openai.responses");
        assertThat(llm.model()).isEqualTo("gpt-4o-mini");
        assertThat(llm.inputTokens()).isEqualTo(40L);
        assertThat(llm.cacheWriteInputTokens()).isEqualTo(30L);
        assertThat(llm.timeToFirstTokenMs()).isEqualTo(412L);
        assertThat(llm.outputTokens()).isEqualTo(5L);
        assertThat(llm.completion()).isEqualTo("[{\"toolName\":\"search\"}]");
        assertThat(llm.feature()).isEqualTo("search");
        assertThat(llm.sessionId()).isEqualTo("s-8");
        assertThat(llm.userId()).isEqualTo(plain.userId()).isNotNull();
        assertThat(plain.kind()).isEqualTo(SpanKind.LLM); // a provider call even before its model is known
    }

    @Test
    void spansInheritUserSessionAndFeatureFromTheirNearestAncestorInTheRequest() {
        List<SpanRecord> spans = map(request(
                "app",
                span("handle", "a000000000000001", null)
                        .addAllAttributes(List.of(
                                kv("enduser.id", "u-42"), kv("session.id", "s-1"), kv("loupe.feature", "support-chat")))
                        .build(),
                span("agent", "a000000000000002", "a000000000000001")
                        .addAttributes(kv("gen_ai.conversation.id", "conv-9"))
                        .build(),
                span("chat", "a000000000000003", "a000000000000002")
                        .addAttributes(kv("gen_ai.request.model", "gpt-4o"))
                        .build(),
                span("other trace", "a000000000000004", "a000000000000001")
                        .setTraceId(id(OTHER_TRACE))
                        .build()));
        SpanRecord root = spans.get(0);
        SpanRecord agent = spans.get(1);
        SpanRecord llm = spans.get(2);
        SpanRecord stranger = spans.get(3);

        assertThat(agent.sessionId()).isEqualTo("conv-9");
        assertThat(agent.userId()).isEqualTo(root.userId()).isNotNull();
        assertThat(llm.sessionId()).isEqualTo("conv-9"); // the nearest ancestor's, not the root's
        assertThat(llm.userId()).isEqualTo(root.userId());
        assertThat(llm.feature()).isEqualTo("support-chat");
        // same parent span id, but another trace: nothing to inherit
        assertThat(stranger.userId()).isNull();
        assertThat(stranger.sessionId()).isNull();
        assertThat(stranger.feature()).isNull();
    }

    @Test
    void anInvalidAncestorIsWalkedThroughNotInheritedFrom() {
        OtlpRequestMapper.Mapping mapping = mapper.map(
                request(
                        "app",
                        span("handle", "a000000000000001", null)
                                .addAttributes(kv("session.id", "s-1"))
                                .build(),
                        span("bad", "a000000000000002", "a000000000000001")
                                .addAttributes(kv("session.id", "s".repeat(300)))
                                .build(),
                        span("chat", "a000000000000003", "a000000000000002").build()),
                "p-1",
                Instant.now());
        assertThat(mapping.problems()).singleElement().asString().contains("sessionId");
        assertThat(mapping.spans()).extracting(SpanRecord::name).containsExactly("handle", "chat");
        assertThat(mapping.spans().get(1).sessionId()).isEqualTo("s-1");
    }

    @Test
    void aParentCycleEndsTheWalk() {
        List<SpanRecord> spans = map(request(
                "app",
                span("a", "a000000000000001", "a000000000000002").build(),
                span("b", "a000000000000002", "a000000000000001").build()));
        assertThat(spans).hasSize(2).allSatisfy(s -> assertThat(s.userId()).isNull());
    }

    // 5. content from GenAI events

    @Test
    void inferenceDetailsEventGivesPromptCompletionAndFinishReason() {
        AnyValue input = array(kvlist(
                kv("role", "user"),
                kvPair("parts", array(kvlist(kv("type", "text"), kv("content", "What is Loupe?"))))));
        AnyValue output = array(kvlist(
                kv("role", "assistant"),
                kvPair("parts", array(kvlist(kv("type", "text"), kv("content", "An observ")))),
                kv("finish_reason", "length")));
        SpanRecord span = one(span("chat gpt-4o", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(kv("gen_ai.operation.name", "chat"), kv("gen_ai.request.model", "gpt-4o")))
                .addEvents(Span.Event.newBuilder()
                        .setName("gen_ai.client.inference.operation.details")
                        .setTimeUnixNano(START + 1)
                        .addAllAttributes(List.of(
                                kvPair("gen_ai.input.messages", input),
                                kvPair("gen_ai.output.messages", output),
                                kvPair(
                                        "gen_ai.system_instructions",
                                        array(kvlist(kv("type", "text"), kv("content", "Be brief.")))),
                                kv("gen_ai.response.model", "gpt-4o-2024-08-06")))));

        JsonNode prompt = json(span.prompt());
        assertThat(prompt.get(0).get("role").asText()).isEqualTo("system");
        assertThat(prompt.get(0).get("parts").get(0).get("content").asText()).isEqualTo("Be brief.");
        assertThat(prompt.get(1).get("parts").get(0).get("content").asText()).isEqualTo("What is Loupe?");
        assertThat(json(span.completion())
                        .get(0)
                        .get("parts")
                        .get(0)
                        .get("content")
                        .asText())
                .isEqualTo("An observ");
        assertThat(span.status()).isEqualTo(Outcome.TRUNCATED);
        assertThat(span.model()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(span.requestModel()).isEqualTo("gpt-4o");
    }

    @Test
    void perMessageEventsBecomeMessageLists() {
        SpanRecord span = one(span("chat gpt-4o", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(kv("gen_ai.system", "openai"), kv("gen_ai.request.model", "gpt-4o")))
                .addEvents(event("gen_ai.system.message", kv("gen_ai.system", "openai"), kv("content", "Be brief.")))
                .addEvents(event("gen_ai.user.message", kv("content", "Weather in Paris?")))
                .addEvents(event(
                        "gen_ai.assistant.message",
                        kvPair(
                                "tool_calls",
                                array(kvlist(
                                        kv("id", "call_1"),
                                        kv("type", "function"),
                                        kvPair(
                                                "function",
                                                kvlist(
                                                        kv("name", "get_weather"),
                                                        kv("arguments", "{\"city\":\"Paris\"}"))))))))
                .addEvents(event("gen_ai.tool.message", kv("id", "call_1"), kv("content", "sunny")))
                .addEvents(event(
                        "gen_ai.choice",
                        kv("index", 0L),
                        kv("finish_reason", "stop"),
                        kvPair("message", kvlist(kv("role", "assistant"), kv("content", "Sunny in Paris."))))));

        JsonNode prompt = json(span.prompt());
        assertThat(prompt).hasSize(4);
        assertThat(prompt.get(0).get("role").asText()).isEqualTo("system");
        assertThat(prompt.get(0).get("content").asText()).isEqualTo("Be brief.");
        assertThat(prompt.get(1).get("role").asText()).isEqualTo("user");
        assertThat(prompt.get(2)
                        .get("tool_calls")
                        .get(0)
                        .get("function")
                        .get("name")
                        .asText())
                .isEqualTo("get_weather");
        assertThat(prompt.get(3).get("role").asText()).isEqualTo("tool");
        assertThat(prompt.get(3).get("id").asText()).isEqualTo("call_1");
        JsonNode completion = json(span.completion());
        assertThat(completion.get(0).get("content").asText()).isEqualTo("Sunny in Paris.");
        assertThat(completion.get(0).get("finish_reason").asText()).isEqualTo("stop");
        assertThat(span.metadata()).containsEntry("finishReasons", "stop");
        assertThat(span.status()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void choiceEventWithItsMessageAsJsonText() {
        // OpenTelemetry JS and Python cannot put a map in a span event attribute: the message arrives as JSON text
        SpanRecord span = one(span("chat gpt-4o", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(kv("gen_ai.system", "openai"), kv("gen_ai.request.model", "gpt-4o")))
                .addEvents(event("gen_ai.user.message", kv("content", "Capital of Spain?")))
                .addEvents(event(
                        "gen_ai.choice",
                        kv("index", 0L),
                        kv("finish_reason", "length"),
                        kv("message", "{\"role\":\"assistant\",\"content\":\"Madrid is\"}")))
                .addEvents(event("gen_ai.choice", kv("index", 1L), kv("message", "not json"))));

        JsonNode completion = json(span.completion());
        assertThat(completion).hasSize(2);
        assertThat(completion.get(0).get("content").asText()).isEqualTo("Madrid is");
        assertThat(completion.get(0).get("finish_reason").asText()).isEqualTo("length");
        assertThat(completion.get(1).has("content")).isFalse();
        assertThat(span.status()).isEqualTo(Outcome.TRUNCATED);
    }

    @Test
    void attributesWinOverEvents() {
        SpanRecord span = one(span("chat", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("gen_ai.request.model", "gpt-4o"),
                        kv("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[]}]")))
                .addEvents(event("gen_ai.user.message", kv("content", "from the event"))));
        assertThat(span.prompt()).isEqualTo("[{\"role\":\"user\",\"parts\":[]}]");
    }

    // 6. tool calls

    @Test
    void semanticConventionToolSpanKeepsArgumentsAndResultRedacted() {
        SpanRecord tool = one(span("execute_tool get_weather", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("gen_ai.operation.name", "execute_tool"),
                        kv("gen_ai.tool.name", "get_weather"),
                        kv("gen_ai.tool.call.id", "call_1"),
                        kvPair("gen_ai.tool.call.arguments", kvlist(kv("email", "ann@example.com"))),
                        kv("gen_ai.tool.call.result", "{\"conditions\":\"sunny\"}"))));
        assertThat(tool.kind()).isEqualTo(SpanKind.TOOL);
        assertThat(tool.toolName()).isEqualTo("get_weather");
        assertThat(tool.toolArguments()).isEqualTo("{\"email\":\"[EMAIL]\"}");
        assertThat(tool.toolResult()).isEqualTo("{\"conditions\":\"sunny\"}");
        assertThat(tool.metadata()).containsEntry("toolCallId", "call_1");
        assertThat(tool.redactions()).containsEntry("email", 1);
    }

    @Test
    void openInferenceToolSpanTakesInputAndOutputValues() {
        SpanRecord tool = one(span("get_weather", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("openinference.span.kind", "TOOL"),
                        kv("tool.name", "get_weather"),
                        kv("tool.description", "Current weather"),
                        kv("tool.parameters", "{\"type\":\"object\"}"),
                        kv("input.value", "{\"city\":\"Paris\"}"),
                        kv("output.value", "sunny"))));
        assertThat(tool.toolArguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(tool.toolResult()).isEqualTo("sunny");
        assertThat(tool.prompt()).isNull();
        assertThat(tool.completion()).isNull();
        // the schema lost to the call's own arguments: still kept
        assertThat(tool.attributes()).containsEntry("tool.parameters", "{\"type\":\"object\"}");

        SpanRecord bare = one(span("tool", "b7ad6b7169203332", null)
                .addAllAttributes(List.of(
                        kv("openinference.span.kind", "TOOL"),
                        kv("tool_call.id", "call_2"),
                        kv("tool_call.function.name", "lookup"),
                        kv("tool_call.function.arguments", "{\"q\":\"x\"}"))));
        assertThat(bare.toolName()).isEqualTo("lookup");
        assertThat(bare.toolArguments()).isEqualTo("{\"q\":\"x\"}");
        assertThat(bare.metadata()).containsEntry("toolCallId", "call_2");
    }

    @Test
    void toolCallsOfAnOpenInferenceLlmSpanStayInsideTheCompletionMessages() {
        SpanRecord span = one(span("OpenAI Chat Completions", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("openinference.span.kind", "LLM"),
                        kv("llm.model_name", "gpt-4o-mini-2024-07-18"),
                        kv("llm.output_messages.0.message.role", "assistant"),
                        kv("llm.output_messages.0.message.tool_calls.0.tool_call.id", "call_1"),
                        kv("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "get_weather"),
                        kv(
                                "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
                                "{\"city\":\"Paris\"}"),
                        kv("llm.output_messages.0.message.tool_calls.1.tool_call.function.name", "get_time"),
                        kv("llm.finish_reason", "tool_calls"))));
        JsonNode calls = json(span.completion()).get(0).get("tool_calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).get("id").asText()).isEqualTo("call_1");
        assertThat(calls.get(0).get("function").get("name").asText()).isEqualTo("get_weather");
        assertThat(calls.get(0).get("function").get("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(calls.get(1).get("function").get("name").asText()).isEqualTo("get_time");
        assertThat(span.toolName()).isNull();
        assertThat(span.status()).isEqualTo(Outcome.SUCCESS);
    }

    // 7. embeddings

    @Test
    void embeddingVectorsAreDroppedAndCountedTextsKept() {
        SpanRecord span = one(span("OpenAI Embeddings", "b7ad6b7169203331", null)
                .addAllAttributes(List.of(
                        kv("openinference.span.kind", "EMBEDDING"),
                        kv("embedding.model_name", "text-embedding-3-small"),
                        kv("input.value", "[\"first text\",\"second text\"]"),
                        kv("input.mime_type", "application/json"),
                        kv("llm.system", "openai"),
                        kv("embedding.embeddings.0.embedding.text", "first text"),
                        kv("embedding.embeddings.1.embedding.text", "second text"),
                        kvPair("embedding.embeddings.0.embedding.vector", vector(1536)),
                        kvPair("embedding.embeddings.1.embedding.vector", vector(1536)))));

        assertThat(span.kind()).isEqualTo(SpanKind.EMBEDDING);
        assertThat(span.model()).isEqualTo("text-embedding-3-small");
        assertThat(json(span.prompt())).hasSize(2);
        assertThat(json(span.prompt()).get(1).asText()).isEqualTo("second text");
        assertThat(span.metadata()).containsEntry("embeddingVectorsDropped", "2");
        assertThat(span.attributes()).noneSatisfy((k, v) -> assertThat(k).contains("embedding"));
        assertThat(registry.get("loupe.collector.embedding.vectors.dropped")
                        .counter()
                        .count())
                .isEqualTo(2.0);
    }

    // 8. model identity

    @Test
    void aFailedCallKeepsItsRequestModelAsModel() {
        SpanRecord failed = one(span("chat gpt-4o-mini", "b7ad6b7169203331", null)
                .addAllAttributes(
                        List.of(kv("gen_ai.operation.name", "chat"), kv("gen_ai.request.model", "gpt-4o-mini")))
                .setStatus(Status.newBuilder()
                        .setCode(Status.StatusCode.STATUS_CODE_ERROR)
                        .setMessage("429 Too Many Requests")));
        assertThat(failed.model()).isEqualTo("gpt-4o-mini");
        assertThat(failed.requestModel()).isEqualTo("gpt-4o-mini");
        assertThat(failed.status()).isEqualTo(Outcome.ERROR);

        SpanRecord openInferenceFailed = one(span("OpenAI Chat Completions", "b7ad6b7169203332", null)
                .addAllAttributes(List.of(
                        kv("openinference.span.kind", "LLM"),
                        kv("llm.model_name", "gpt-4o-mini"),
                        kv("llm.invocation_parameters", "{\"model\":\"gpt-4o-mini\"}")))
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)));
        assertThat(openInferenceFailed.model()).isEqualTo("gpt-4o-mini");
        assertThat(openInferenceFailed.requestModel()).isEqualTo("gpt-4o-mini");
    }

    // helpers: OTLP shaped like the libraries send it

    private SpanRecord one(Span.Builder span) {
        return one("", span);
    }

    private SpanRecord one(String scope, Span.Builder span) {
        List<SpanRecord> spans = map(request(scope, span.build()));
        assertThat(spans).hasSize(1);
        return spans.get(0);
    }

    private List<SpanRecord> map(ExportTraceServiceRequest request) {
        OtlpRequestMapper.Mapping mapping = mapper.map(request, "p-1", Instant.parse("2026-11-27T10:00:00Z"));
        assertThat(mapping.problems()).isEmpty();
        return mapping.spans();
    }

    private static ExportTraceServiceRequest request(String scope, Span... spans) {
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName(scope))
                                .addAllSpans(List.of(spans))))
                .build();
    }

    private static Span.Builder span(String name, String spanId, String parentId) {
        Span.Builder span = Span.newBuilder()
                .setTraceId(id(TRACE))
                .setSpanId(id(spanId))
                .setName(name)
                .setStartTimeUnixNano(START)
                .setEndTimeUnixNano(START + 1_000_000);
        if (parentId != null) {
            span.setParentSpanId(id(parentId));
        }
        return span;
    }

    private static Span.Event event(String name, KeyValue... attributes) {
        return Span.Event.newBuilder()
                .setName(name)
                .setTimeUnixNano(START + 1)
                .addAllAttributes(List.of(attributes))
                .build();
    }

    private static ByteString id(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    private static KeyValue kv(String key, String value) {
        return kvPair(key, AnyValue.newBuilder().setStringValue(value).build());
    }

    private static KeyValue kv(String key, long value) {
        return kvPair(key, AnyValue.newBuilder().setIntValue(value).build());
    }

    private static KeyValue kvPair(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static AnyValue string(String value) {
        return AnyValue.newBuilder().setStringValue(value).build();
    }

    private static AnyValue array(AnyValue... values) {
        return AnyValue.newBuilder()
                .setArrayValue(ArrayValue.newBuilder().addAllValues(List.of(values)))
                .build();
    }

    private static AnyValue kvlist(KeyValue... values) {
        return AnyValue.newBuilder()
                .setKvlistValue(KeyValueList.newBuilder().addAllValues(List.of(values)))
                .build();
    }

    private static AnyValue vector(int dimensions) {
        List<AnyValue> floats = new ArrayList<>(dimensions);
        for (int i = 0; i < dimensions; i++) {
            floats.add(AnyValue.newBuilder().setDoubleValue(i / 1000.0).build());
        }
        return AnyValue.newBuilder()
                .setArrayValue(ArrayValue.newBuilder().addAllValues(floats))
                .build();
    }

    private static JsonNode json(String text) {
        try {
            return EventJson.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
