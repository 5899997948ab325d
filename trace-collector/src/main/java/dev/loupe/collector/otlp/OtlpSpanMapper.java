package dev.loupe.collector.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.wire.DecisionInput;
import dev.loupe.contracts.wire.SpanInput;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps one OTLP span to Loupe's {@link SpanInput}: OTel GenAI semantic conventions (current and deprecated
 * names, span events included), OpenInference names, OpenLLMetry's {@code traceloop.*} names, the Vercel AI SDK's
 * {@code ai.*} names, and Loupe's own {@code loupe.*} attributes. What it does not map stays in {@code attributes} (embedding vectors are dropped and
 * counted); resource attributes are kept there under {@code resource.}. The table in the module README lists
 * every mapping.
 */
final class OtlpSpanMapper {
    private OtlpSpanMapper() {}

    /** OpenLLMetry-JS's Anthropic instrumentation reports Anthropic's own {@code input_tokens}, without the cache. */
    static final String OPENLLMETRY_JS_ANTHROPIC = "@traceloop/instrumentation-anthropic";

    private static final String ASSOCIATION = "traceloop.association.properties";

    /** The Vercel AI SDK's {@code experimental_telemetry.metadata}, as {@code ai.telemetry.metadata.<key>}. */
    private static final String AI_SDK_METADATA = "ai.telemetry.metadata";

    /** A mapped span and what a decision built from its trace needs. */
    record Mapped(
            SpanInput span,
            boolean root,
            String decisionId,
            String promptTemplate,
            String promptVersion,
            List<DecisionInput.Retrieved> documents,
            int embeddingVectorsDropped) {
        Mapped withSpan(SpanInput replacement) {
            return new Mapped(
                    replacement, root, decisionId, promptTemplate, promptVersion, documents, embeddingVectorsDropped);
        }
    }

    static Mapped map(Span span, Map<String, Object> resource) {
        return map(span, resource, "");
    }

    /**
     * @param scope the name of the span's instrumentation scope (empty when unknown): it tells which library
     *     sent the span where the attributes alone do not (see {@link #inputWithCache})
     */
    static Mapped map(Span span, Map<String, Object> resource, String scope) {
        GenAiAttributes a = new GenAiAttributes(OtlpValues.toMap(span.getAttributesList()));
        EventMessages events = eventsToAttributes(span, a);
        int vectorsDropped = a.removeIf(OtlpSpanMapper::isEmbeddingVector);
        String operation = a.string("gen_ai.operation.name");
        String openInferenceKind = a.string("openinference.span.kind");
        String traceloopKind = a.string("traceloop.span.kind");
        SpanKind aiSdkKind = aiSdkKind(str(a.peek("ai.operationId")));
        boolean aiSdkCall = aiSdkKind == SpanKind.LLM || aiSdkKind == SpanKind.EMBEDDING;
        String requestModel = firstNonNull(a.string("gen_ai.request.model"), invocationModel(a));
        String responseModel = a.string("gen_ai.response.model");
        if (aiSdkCall) { // the AI SDK's own names; its wrapping spans carry ai.model.id too and are no model call
            requestModel = firstNonNull(requestModel, a.string("ai.model.id"));
            responseModel = firstNonNull(responseModel, a.string("ai.response.model"));
        }
        String model = firstNonNull(responseModel, a.string("llm.model_name", "embedding.model_name"), requestModel);
        SpanKind kind = kind(operation, openInferenceKind, traceloopKind, model);
        if (operation == null && openInferenceKind == null && aiSdkKind != null) {
            kind = aiSdkKind;
        }
        String provider = a.string("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system");
        if (aiSdkCall) {
            provider = firstNonNull(provider, a.string("ai.model.provider"));
        }
        Long input = a.number("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt");
        Long output =
                a.number("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion");
        Long cached = a.number(
                "gen_ai.usage.cache_read.input_tokens",
                "gen_ai.usage.cache_read_input_tokens",
                "cache_read_input_tokens",
                "llm.token_count.prompt_details.cache_read");
        Long cacheWrite = a.number(
                "gen_ai.usage.cache_creation.input_tokens",
                "gen_ai.usage.cache_creation_input_tokens",
                "cache_creation_input_tokens",
                "llm.token_count.prompt_details.cache_write");
        Long reasoning =
                a.number("gen_ai.usage.reasoning.output_tokens", "llm.token_count.completion_details.reasoning");
        if (aiSdkCall) { // the model call's usage; the wrapping span's (the sum of its steps) stays an attribute
            input = firstNonNull(input, a.number("ai.usage.inputTokens", "ai.usage.promptTokens", "ai.usage.tokens"));
            output = firstNonNull(output, a.number("ai.usage.outputTokens", "ai.usage.completionTokens"));
            cached = firstNonNull(
                    cached, a.number("ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"));
            cacheWrite = firstNonNull(cacheWrite, a.number("ai.usage.inputTokenDetails.cacheWriteTokens"));
            reasoning = firstNonNull(
                    reasoning, a.number("ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens"));
            a.number("ai.usage.totalTokens");
        }
        Long timeToFirstToken = aiSdkCall ? a.number("ai.response.msToFirstChunk") : null; // doStream only
        input = inputWithCache(input, cached, cacheWrite, scope);
        a.number("llm.token_count.total", "gen_ai.usage.total_tokens", "llm.usage.total_tokens");
        Set<String> finishReasons = new LinkedHashSet<>(a.strings("gen_ai.response.finish_reasons"));
        String openInferenceFinish = a.string("llm.finish_reason");
        if (openInferenceFinish != null) {
            finishReasons.add(openInferenceFinish);
        }
        String aiSdkFinish = a.string("ai.response.finishReason");
        if (aiSdkFinish != null) {
            finishReasons.add(aiSdkFinish);
        }
        Tool tool = tool(a, kind, traceloopKind);
        List<String> embeddingTexts = embeddingTexts(a);
        String prompt = prompt(a, events);
        if (embeddingTexts != null) {
            prompt = GenAiAttributes.json(embeddingTexts); // the same text as input.value, one entry per input
        }
        String completion = completion(a, events, finishReasons);
        finishReasons.addAll(events.finishReasons());
        finishReasons.remove("");
        String errorType = a.string("error.type", "exception.type");
        String errorMessage = a.string("exception.message");
        Outcome status = Outcome.SUCCESS;
        if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
            status = Outcome.ERROR;
            errorType = errorType == null ? "error" : errorType;
            errorMessage = span.getStatus().getMessage().isEmpty()
                    ? errorMessage
                    : span.getStatus().getMessage();
        } else if (finishReasons.stream().anyMatch(OtlpSpanMapper::isCut)) {
            status = Outcome.TRUNCATED;
        }
        Map<String, String> association = a.prefixed(ASSOCIATION);
        Map<String, String> aiSdkMetadata = a.prefixed(AI_SDK_METADATA);
        String session = firstNonNull(
                a.string("gen_ai.conversation.id", "session.id"),
                association.remove("session_id"),
                aiSdkMetadata.remove("loupe.session_id"));
        String user = firstNonNull(
                a.string("user.id", "enduser.id"),
                association.remove("user_id"),
                aiSdkMetadata.remove("loupe.user_id"));
        String workflow = a.string("traceloop.workflow.name");
        String feature = firstNonNull(
                a.string("loupe.feature"), aiSdkMetadata.remove("loupe.feature"), str(resource.get("loupe.feature")));
        String functionId = a.string("ai.telemetry.functionId");
        String decisionId = a.string("loupe.decision.id");
        String template = a.string("loupe.prompt.template", "llm.prompt_template.template");
        String version = a.string("loupe.prompt.version", "llm.prompt_template.version");
        List<DecisionInput.Retrieved> documents = documents(a);
        Map<String, String> metadata = new LinkedHashMap<>(association);
        metadata.putAll(aiSdkMetadata);
        if (functionId != null) {
            metadata.put("functionId", functionId);
        }
        metadata.putAll(a.prefixed("loupe.metadata")); // the app's own tags win over OpenLLMetry's and the AI SDK's
        if (workflow != null) {
            metadata.put("workflowName", workflow);
        }
        if (template != null) {
            metadata.put("promptTemplate", template);
        }
        if (version != null) {
            metadata.put("promptVersion", version);
        }
        if (!finishReasons.isEmpty()) {
            metadata.put("finishReasons", String.join(",", finishReasons));
        }
        if (tool.callId() != null) {
            metadata.put("toolCallId", tool.callId());
        }
        if (vectorsDropped > 0) {
            metadata.put("embeddingVectorsDropped", Integer.toString(vectorsDropped));
        }
        Map<String, Object> attributes = new LinkedHashMap<>(a.remaining());
        resource.forEach((k, v) -> attributes.put("resource." + k, v));
        String parent = OtlpValues.hex(span.getParentSpanId());
        SpanInput mapped = new SpanInput(
                OtlpValues.hex(span.getTraceId()),
                OtlpValues.hex(span.getSpanId()),
                parent,
                kind,
                span.getName().isEmpty() ? null : span.getName(),
                provider,
                model,
                requestModel,
                time(span.getStartTimeUnixNano()),
                time(span.getEndTimeUnixNano()),
                null,
                timeToFirstToken,
                input,
                output,
                cached,
                cacheWrite,
                reasoning,
                null,
                prompt,
                completion,
                null,
                null,
                status,
                errorType,
                errorMessage,
                feature,
                session,
                user,
                decisionId,
                tool.name(),
                tool.arguments(),
                tool.result(),
                metadata,
                attributes);
        return new Mapped(mapped, parent == null, decisionId, template, version, documents, vectorsDropped);
    }

    /** A finish reason that means the output was cut by a token limit. */
    private static boolean isCut(String reason) {
        return reason.equalsIgnoreCase("length")
                || reason.equalsIgnoreCase("max_tokens")
                || reason.equalsIgnoreCase("max_output_tokens");
    }

    /**
     * Loupe's {@code inputTokens} include the cached and the cache-write tokens. The OTel GenAI conventions
     * and OpenInference say the same of theirs, and OpenAI's {@code prompt_tokens} include its cached tokens.
     * Anthropic's own {@code input_tokens} exclude both, and OpenLLMetry-JS's Anthropic instrumentation passes
     * them on as they are (its Python twin adds them): for that scope the cache counts are added. Whatever the
     * source, an input count smaller than its own cache counts cannot have included them, so they are added
     * too.
     */
    static Long inputWithCache(Long input, Long cached, Long cacheWrite, String scope) {
        long read = cached == null ? 0 : cached;
        long write = cacheWrite == null ? 0 : cacheWrite;
        if (input == null || input < 0 || read < 0 || write < 0 || read + write < 0) {
            return input; // nothing to add to, or the validator rejects the span anyway
        }
        boolean excludes = OPENLLMETRY_JS_ANTHROPIC.equals(scope) || input < read + write;
        if (!excludes || input > Long.MAX_VALUE - read - write) {
            return input;
        }
        return input + read + write;
    }

    /** OpenInference's request model: {@code "model"} inside the JSON of {@code llm.invocation_parameters}. */
    private static String invocationModel(GenAiAttributes a) {
        if (!(a.peek("llm.invocation_parameters") instanceof String json)) {
            return null;
        }
        try {
            JsonNode parameters = EventJson.mapper().readTree(json);
            JsonNode model = parameters == null ? null : parameters.get("model");
            return model != null && model.isTextual() ? model.asText() : null;
        } catch (IOException e) {
            return null; // not JSON: it stays an attribute like the rest of the parameters
        }
    }

    /** Embedding vectors: OpenInference's {@code embedding.embeddings.N.embedding.vector} and the like. */
    static boolean isEmbeddingVector(String key) {
        return key.endsWith("embedding.vector") || key.endsWith("embeddings.vector");
    }

    /** OpenInference's {@code embedding.embeddings.N.embedding.text}, in order, or null when there are none. */
    private static List<String> embeddingTexts(GenAiAttributes a) {
        List<Map<String, Object>> embeddings = a.indexed("embedding.embeddings");
        if (embeddings == null) {
            return null;
        }
        List<String> texts = new ArrayList<>();
        for (Map<String, Object> e : embeddings) {
            Object text = e.get("embedding.text");
            if (text != null) {
                texts.add(String.valueOf(text));
            }
        }
        return texts.isEmpty() ? null : texts;
    }

    private record Tool(String name, String arguments, String result, String callId) {}

    /**
     * A tool call's name, arguments and result: the GenAI conventions' {@code gen_ai.tool.*}, OpenInference's
     * {@code tool.*} / {@code tool_call.*} and, on TOOL spans, its {@code input.value} / {@code output.value};
     * OpenLLMetry's {@code traceloop.entity.*} on its tool spans. What loses stays an attribute.
     */
    private static Tool tool(GenAiAttributes a, SpanKind kind, String traceloopKind) {
        String name = a.string("gen_ai.tool.name", "tool.name", "tool_call.function.name", "ai.toolCall.name");
        String arguments = a.string("gen_ai.tool.call.arguments", "ai.toolCall.args");
        String result = a.string("gen_ai.tool.call.result", "ai.toolCall.result");
        String callId = a.string("gen_ai.tool.call.id", "tool_call.id", "tool.id", "ai.toolCall.id");
        boolean traceloopTool = "tool".equalsIgnoreCase(traceloopKind);
        if (kind == SpanKind.TOOL && arguments == null && a.has("input.value")) {
            arguments = a.string("input.value");
        }
        if (kind == SpanKind.TOOL && result == null && a.has("output.value")) {
            result = a.string("output.value");
        }
        if (arguments == null && a.has("tool_call.function.arguments")) {
            arguments = a.string("tool_call.function.arguments");
        }
        if (arguments == null && a.has("tool.parameters")) {
            arguments = a.string("tool.parameters");
        }
        if (traceloopTool) {
            if (name == null && a.has("traceloop.entity.name")) {
                name = a.string("traceloop.entity.name");
            }
            if (arguments == null && a.has("traceloop.entity.input")) {
                arguments = a.string("traceloop.entity.input");
            }
            if (result == null && a.has("traceloop.entity.output")) {
                result = a.string("traceloop.entity.output");
            }
        }
        return new Tool(name, arguments, result, callId);
    }

    /**
     * The Vercel AI SDK's {@code ai.operationId}: its provider calls ({@code ai.generateText.doGenerate},
     * {@code ai.streamText.doStream}, {@code ai.generateObject.doGenerate}…) are LLM spans, {@code ….doEmbed}
     * EMBEDDING, {@code ai.toolCall} TOOL, and the wrapping {@code ai.generateText} / {@code ai.streamText} /
     * {@code ai.embed}… CHAIN; null for anything else.
     */
    static SpanKind aiSdkKind(String operationId) {
        if (operationId == null || !operationId.startsWith("ai.")) {
            return null;
        }
        if (operationId.endsWith(".doGenerate") || operationId.endsWith(".doStream")) {
            return SpanKind.LLM;
        }
        if (operationId.endsWith(".doEmbed")) {
            return SpanKind.EMBEDDING;
        }
        if (operationId.equals("ai.toolCall")) {
            return SpanKind.TOOL;
        }
        return switch (operationId) {
            case "ai.generateText",
                    "ai.streamText",
                    "ai.generateObject",
                    "ai.streamObject",
                    "ai.embed",
                    "ai.embedMany" -> SpanKind.CHAIN;
            default -> null;
        };
    }

    static SpanKind kind(String operation, String openInferenceKind, String model) {
        return kind(operation, openInferenceKind, null, model);
    }

    static SpanKind kind(String operation, String openInferenceKind, String traceloopKind, String model) {
        if (operation != null) {
            switch (operation.toLowerCase(Locale.ROOT)) {
                case "chat", "text_completion", "generate_content":
                    return SpanKind.LLM;
                case "embeddings":
                    return SpanKind.EMBEDDING;
                case "execute_tool":
                    return SpanKind.TOOL;
                case "retrieval":
                    return SpanKind.RETRIEVAL;
                case "create_agent", "invoke_agent":
                    return SpanKind.AGENT;
                case "invoke_workflow":
                    return SpanKind.CHAIN;
                default:
                    break;
            }
        }
        if (openInferenceKind != null) {
            switch (openInferenceKind.toUpperCase(Locale.ROOT)) {
                case "LLM":
                    return SpanKind.LLM;
                case "EMBEDDING":
                    return SpanKind.EMBEDDING;
                case "RETRIEVER", "RERANKER":
                    return SpanKind.RETRIEVAL;
                case "TOOL":
                    return SpanKind.TOOL;
                case "AGENT":
                    return SpanKind.AGENT;
                case "CHAIN":
                    return SpanKind.CHAIN;
                default:
                    return SpanKind.OTHER;
            }
        }
        if (model == null && traceloopKind != null) {
            switch (traceloopKind.toLowerCase(Locale.ROOT)) {
                case "workflow", "task":
                    return SpanKind.CHAIN;
                case "agent":
                    return SpanKind.AGENT;
                case "tool":
                    return SpanKind.TOOL;
                default:
                    break;
            }
        }
        return model != null ? SpanKind.LLM : SpanKind.OTHER;
    }

    private static String prompt(GenAiAttributes a, EventMessages events) {
        String system = a.string("gen_ai.system_instructions");
        String current = a.string("gen_ai.input.messages");
        Older older = olderMessages(a, "gen_ai.prompt", "llm.input_messages", "input.value");
        if (current != null) {
            return withSystem(current, system);
        }
        String olderText = older == null ? null : older.text();
        if (olderText == null) { // the Vercel AI SDK: the provider call's messages, else the call's own prompt
            olderText = a.has("ai.prompt.messages") ? a.string("ai.prompt.messages") : a.string("ai.prompt");
        }
        if (olderText == null && !events.input().isEmpty()) {
            olderText = GenAiAttributes.json(events.input());
        }
        if (olderText != null && system != null) {
            a.remaining().put("gen_ai.system_instructions", system); // not part of the older prompt: keep it
        }
        return olderText != null ? olderText : system;
    }

    private static String completion(GenAiAttributes a, EventMessages events, Set<String> finishReasons) {
        String current = a.string("gen_ai.output.messages");
        Older older = olderMessages(a, "gen_ai.completion", "llm.output_messages", "output.value");
        if (current != null) {
            finishReasons.addAll(finishReasonsOf(current));
            return current;
        }
        if (older != null) {
            if (older.messages() != null) {
                for (Map<String, Object> message : older.messages()) {
                    Object reason = message.get("finish_reason");
                    if (reason != null) {
                        finishReasons.add(String.valueOf(reason));
                    }
                }
            }
            return older.text();
        }
        if (!events.output().isEmpty()) {
            return GenAiAttributes.json(events.output());
        }
        // the Vercel AI SDK: the text, else the object (generateObject), else the tool calls
        for (String key : List.of("ai.response.text", "ai.response.object", "ai.response.toolCalls")) {
            String value = a.string(key);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    /** The {@code finish_reason} of each message in the conventions' {@code gen_ai.output.messages} JSON. */
    private static List<String> finishReasonsOf(String outputMessages) {
        List<String> reasons = new ArrayList<>();
        try {
            JsonNode messages = EventJson.mapper().readTree(outputMessages);
            if (messages != null && messages.isArray()) {
                for (JsonNode message : messages) {
                    JsonNode reason = message.get("finish_reason");
                    if (reason != null && reason.isTextual()) {
                        reasons.add(reason.asText());
                    }
                }
            }
        } catch (IOException e) {
            // not JSON: no finish reasons in it
        }
        return reasons;
    }

    /** What an older convention held: one plain text, or messages (indexed attributes), never both. */
    private record Older(String plain, List<Map<String, Object>> messages) {
        String text() {
            return plain != null ? plain : GenAiAttributes.json(messages);
        }
    }

    /**
     * Messages from older conventions, in order of preference: the legacy plain attribute, the legacy indexed
     * {@code legacy.N.role/content}, OpenInference's indexed messages (tool calls and content parts nested),
     * then its plain value. All candidates are consumed, whichever wins; null when there is none.
     */
    private static Older olderMessages(GenAiAttributes a, String legacy, String openInference, String value) {
        String plain = a.string(legacy);
        List<Map<String, Object>> indexed = a.indexed(legacy);
        List<Map<String, Object>> inferenceMessages = a.indexed(openInference);
        String inferenceValue = a.string(value);
        if (plain != null) {
            return new Older(plain, null);
        }
        if (indexed != null) {
            return new Older(null, indexed);
        }
        if (inferenceMessages != null) {
            List<Map<String, Object>> nested = new ArrayList<>();
            unprefix(inferenceMessages, "message.").forEach(m -> nested.add(nest(m)));
            return new Older(null, nested);
        }
        return inferenceValue == null ? null : new Older(inferenceValue, null);
    }

    /** {@code tool_calls.M.tool_call.function.name} / {@code contents.M.message_content.text} inside a message. */
    private static final Pattern NESTED_LIST = Pattern.compile("(tool_calls|contents)\\.(\\d{1,9})\\.(.+)");

    /**
     * Turns OpenInference's flattened lists inside one message into JSON lists of objects:
     * {@code tool_calls.0.tool_call.function.arguments} becomes {@code tool_calls: [{function: {arguments}}]}.
     */
    static Map<String, Object> nest(Map<String, Object> message) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Map<String, Object>>> lists = new LinkedHashMap<>();
        message.forEach((key, value) -> {
            Matcher m = NESTED_LIST.matcher(key);
            if (!m.matches()) {
                out.put(key, value);
                return;
            }
            String rest = m.group(3);
            String elementPrefix = m.group(1).equals("tool_calls") ? "tool_call." : "message_content.";
            if (rest.startsWith(elementPrefix)) {
                rest = rest.substring(elementPrefix.length());
            }
            Map<String, Object> element = lists.computeIfAbsent(m.group(1), l -> new TreeMap<>())
                    .computeIfAbsent(Integer.parseInt(m.group(2)), i -> new LinkedHashMap<>());
            putDotted(element, rest, value);
        });
        lists.forEach((name, elements) -> out.put(name, new ArrayList<>(elements.values())));
        return out;
    }

    /** How deep a dotted key inside a list element is nested ({@code function.name}: 2); the rest stays flat. */
    private static final int MAX_NESTING = 4;

    @SuppressWarnings("unchecked")
    private static void putDotted(Map<String, Object> element, String key, Object value) {
        Map<String, Object> target = element;
        String rest = key;
        for (int depth = 1; depth < MAX_NESTING; depth++) {
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot == rest.length() - 1) {
                break;
            }
            Object child = target.computeIfAbsent(rest.substring(0, dot), k -> new LinkedHashMap<String, Object>());
            if (!(child instanceof Map<?, ?> map)) {
                break; // a plain value already sits there: keep the rest of the key flat
            }
            target = (Map<String, Object>) map;
            rest = rest.substring(dot + 1);
        }
        target.putIfAbsent(rest, value);
    }

    /** Puts system instructions in front of the input messages as a {@code system} message. */
    private static String withSystem(String messages, String system) {
        if (system == null) {
            return messages;
        }
        try {
            JsonNode parsed = EventJson.mapper().readTree(messages);
            JsonNode parts = EventJson.mapper().readTree(system);
            if (parsed.isArray()) {
                ObjectNode systemMessage = EventJson.mapper().createObjectNode().put("role", "system");
                systemMessage.set(
                        "parts",
                        parts.isArray()
                                ? parts
                                : EventJson.mapper()
                                        .createArrayNode()
                                        .add(EventJson.mapper()
                                                .createObjectNode()
                                                .put("type", "text")
                                                .put("content", system)));
                ((ArrayNode) parsed).insert(0, systemMessage);
                return parsed.toString();
            }
        } catch (IOException e) {
            // not JSON: fall through to plain concatenation
        }
        return system + "\n" + messages;
    }

    private static List<DecisionInput.Retrieved> documents(GenAiAttributes a) {
        List<DecisionInput.Retrieved> docs = new ArrayList<>();
        String genAi = a.string("gen_ai.retrieval.documents");
        if (genAi != null) {
            try {
                JsonNode array = EventJson.mapper().readTree(genAi);
                if (array.isArray()) {
                    array.forEach(d -> docs.add(
                            new DecisionInput.Retrieved(text(d, "id"), number(d, "score"), text(d, "content"), null)));
                }
            } catch (IOException e) {
                a.remaining().put("gen_ai.retrieval.documents", genAi);
            }
        }
        List<Map<String, Object>> openInference = a.indexed("retrieval.documents");
        if (openInference != null) {
            for (Map<String, Object> d : openInference) {
                Object score = d.get("document.score");
                docs.add(new DecisionInput.Retrieved(
                        str(d.get("document.id")),
                        score instanceof Number n ? n.doubleValue() : null,
                        str(d.get("document.content")),
                        null));
            }
        }
        return docs;
    }

    /** Messages and finish reasons read from GenAI span events; empty when the span carries none. */
    private record EventMessages(
            List<Map<String, Object>> input, List<Map<String, Object>> output, List<String> finishReasons) {}

    /**
     * Folds span events into the attributes: the prompt and completion events of older instrumentations,
     * exceptions, and the GenAI events. {@code gen_ai.client.inference.operation.details} (conventions 1.37 and
     * later) carries the span's own attributes, {@code gen_ai.input.messages} and {@code gen_ai.output.messages}
     * among them: each one the span lacks is taken. The older per-message events ({@code gen_ai.system.message},
     * {@code gen_ai.user.message}, {@code gen_ai.assistant.message}, {@code gen_ai.tool.message} and
     * {@code gen_ai.choice}) become message lists, used when no attribute holds the prompt or completion.
     */
    private static EventMessages eventsToAttributes(Span span, GenAiAttributes a) {
        List<Map<String, Object>> input = new ArrayList<>();
        TreeMap<Long, Map<String, Object>> choices = new TreeMap<>();
        List<String> finishReasons = new ArrayList<>();
        for (Span.Event event : span.getEventsList()) {
            Map<String, Object> attrs = OtlpValues.toMap(event.getAttributesList());
            switch (event.getName()) {
                case "gen_ai.content.prompt" -> putIfAbsent(a, "gen_ai.prompt", attrs.get("gen_ai.prompt"));
                case "gen_ai.content.completion" -> putIfAbsent(a, "gen_ai.completion", attrs.get("gen_ai.completion"));
                case "exception" -> {
                    putIfAbsent(a, "exception.type", attrs.get("exception.type"));
                    putIfAbsent(a, "exception.message", attrs.get("exception.message"));
                }
                case "gen_ai.client.inference.operation.details" -> attrs.forEach((k, v) -> putIfAbsent(a, k, v));
                case "gen_ai.system.message" -> input.add(eventMessage("system", attrs));
                case "gen_ai.user.message" -> input.add(eventMessage("user", attrs));
                case "gen_ai.assistant.message" -> input.add(eventMessage("assistant", attrs));
                case "gen_ai.tool.message" -> input.add(eventMessage("tool", attrs));
                case "gen_ai.choice" -> {
                    Map<String, Object> choice = choice(attrs);
                    Object reason = choice.get("finish_reason");
                    if (reason != null) {
                        finishReasons.add(String.valueOf(reason));
                    }
                    long index = attrs.get("index") instanceof Number n ? n.longValue() : choices.size();
                    while (choices.containsKey(index)) {
                        index++;
                    }
                    choices.put(index, choice);
                }
                default -> {}
            }
        }
        return new EventMessages(input, new ArrayList<>(choices.values()), finishReasons);
    }

    /** {@code {role, content, tool_calls, id}} of a per-message event; the role defaults to the event's. */
    private static Map<String, Object> eventMessage(String role, Map<String, Object> attrs) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", attrs.get("role") == null ? role : attrs.get("role"));
        copyIfPresent(attrs, message, "content");
        copyIfPresent(attrs, message, "tool_calls");
        copyIfPresent(attrs, message, "id");
        return message;
    }

    /**
     * A {@code gen_ai.choice} event as an output message: its {@code message} plus {@code finish_reason}. The
     * message is a map where the SDK can send one (an OTLP kvlist) or, since span event attributes of the
     * OpenTelemetry JS and Python SDKs cannot hold maps, a JSON object in a string.
     */
    private static Map<String, Object> choice(Map<String, Object> attrs) {
        Map<String, Object> body = messageBody(attrs.get("message"));
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", body.get("role") == null ? "assistant" : body.get("role"));
        copyIfPresent(body, message, "content");
        copyIfPresent(body, message, "tool_calls");
        copyIfPresent(attrs, message, "finish_reason");
        return message;
    }

    private static Map<String, Object> messageBody(Object message) {
        if (message instanceof Map<?, ?> m) {
            return stringKeys(m);
        }
        if (message instanceof String text && text.stripLeading().startsWith("{")) {
            try {
                JsonNode node = EventJson.mapper().readTree(text);
                if (node != null && node.isObject()) {
                    return stringKeys(EventJson.mapper().convertValue(node, Map.class));
                }
            } catch (IOException notJson) {
                // not a JSON object: no message content to take
            }
        }
        return Map.of();
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static void copyIfPresent(Map<String, Object> from, Map<String, Object> to, String key) {
        if (from.get(key) != null) {
            to.put(key, from.get(key));
        }
    }

    private static void putIfAbsent(GenAiAttributes a, String key, Object value) {
        if (value != null && !a.has(key)) {
            a.remaining().put(key, value);
        }
    }

    private static List<Map<String, Object>> unprefix(List<Map<String, Object>> items, String prefix) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> item : items) {
            Map<String, Object> clean = new LinkedHashMap<>();
            item.forEach((k, v) -> clean.put(k.startsWith(prefix) ? k.substring(prefix.length()) : k, v));
            out.add(clean);
        }
        return out;
    }

    private static Instant time(long unixNanos) {
        return unixNanos == 0 ? null : Instant.ofEpochSecond(0, unixNanos);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isNumber() ? null : value.asDouble();
    }

    private static String str(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
