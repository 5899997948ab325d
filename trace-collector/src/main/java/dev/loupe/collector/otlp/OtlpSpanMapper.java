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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps one OTLP span to Loupe's {@link SpanInput}: OTel GenAI semantic conventions (current and deprecated
 * names), OpenInference names, and Loupe's own {@code loupe.*} attributes. What it does not map stays in
 * {@code attributes}; resource attributes are kept there under {@code resource.}. The table in the module
 * README lists every mapping.
 */
final class OtlpSpanMapper {
    private OtlpSpanMapper() {}

    /** A mapped span and what a decision built from its trace needs. */
    record Mapped(
            SpanInput span,
            boolean root,
            String decisionId,
            String promptTemplate,
            String promptVersion,
            List<DecisionInput.Retrieved> documents) {}

    static Mapped map(Span span, Map<String, Object> resource) {
        GenAiAttributes a = new GenAiAttributes(OtlpValues.toMap(span.getAttributesList()));
        eventsToAttributes(span, a);
        String operation = a.string("gen_ai.operation.name");
        String openInferenceKind = a.string("openinference.span.kind");
        String requestModel = a.string("gen_ai.request.model");
        String responseModel = a.string("gen_ai.response.model");
        String model = firstNonNull(responseModel, requestModel, a.string("llm.model_name", "embedding.model_name"));
        SpanKind kind = kind(operation, openInferenceKind, model);
        String provider = a.string("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system");
        Long input = a.number("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt");
        Long output =
                a.number("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion");
        Long cached = a.number(
                "gen_ai.usage.cache_read.input_tokens",
                "gen_ai.usage.cache_read_input_tokens",
                "llm.token_count.prompt_details.cache_read");
        Long reasoning =
                a.number("gen_ai.usage.reasoning.output_tokens", "llm.token_count.completion_details.reasoning");
        a.number("llm.token_count.total", "gen_ai.usage.total_tokens");
        String prompt = prompt(a);
        String completion = completion(a);
        List<String> finishReasons = a.strings("gen_ai.response.finish_reasons");
        String errorType = a.string("error.type", "exception.type");
        String errorMessage = a.string("exception.message");
        Outcome status = Outcome.SUCCESS;
        if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
            status = Outcome.ERROR;
            errorType = errorType == null ? "error" : errorType;
            errorMessage = span.getStatus().getMessage().isEmpty()
                    ? errorMessage
                    : span.getStatus().getMessage();
        } else if (finishReasons.stream()
                .anyMatch(r -> r.equalsIgnoreCase("length")
                        || r.equalsIgnoreCase("max_tokens")
                        || r.equalsIgnoreCase("max_output_tokens"))) {
            status = Outcome.TRUNCATED;
        }
        String session = a.string("gen_ai.conversation.id", "session.id");
        String user = a.string("user.id", "enduser.id");
        String tool = a.string("gen_ai.tool.name", "tool.name");
        String feature = firstNonNull(a.string("loupe.feature"), str(resource.get("loupe.feature")));
        String decisionId = a.string("loupe.decision.id");
        String template = a.string("loupe.prompt.template", "llm.prompt_template.template");
        String version = a.string("loupe.prompt.version", "llm.prompt_template.version");
        List<DecisionInput.Retrieved> documents = documents(a);
        Map<String, String> metadata = new LinkedHashMap<>(a.prefixed("loupe.metadata"));
        if (template != null) {
            metadata.put("promptTemplate", template);
        }
        if (version != null) {
            metadata.put("promptVersion", version);
        }
        if (!finishReasons.isEmpty()) {
            metadata.put("finishReasons", String.join(",", finishReasons));
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
                null,
                time(span.getStartTimeUnixNano()),
                time(span.getEndTimeUnixNano()),
                null,
                null,
                input,
                output,
                cached,
                null,
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
                tool,
                null,
                null,
                metadata,
                attributes);
        return new Mapped(mapped, parent == null, decisionId, template, version, documents);
    }

    static SpanKind kind(String operation, String openInferenceKind, String model) {
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
        return model != null ? SpanKind.LLM : SpanKind.OTHER;
    }

    private static String prompt(GenAiAttributes a) {
        String system = a.string("gen_ai.system_instructions");
        String current = a.string("gen_ai.input.messages");
        String older = olderMessages(a, "gen_ai.prompt", "llm.input_messages", "input.value");
        if (current != null) {
            return withSystem(current, system);
        }
        if (older != null && system != null) {
            a.remaining().put("gen_ai.system_instructions", system); // not part of the older prompt: keep it
        }
        return older != null ? older : system;
    }

    private static String completion(GenAiAttributes a) {
        String current = a.string("gen_ai.output.messages");
        String older = olderMessages(a, "gen_ai.completion", "llm.output_messages", "output.value");
        return current != null ? current : older;
    }

    /**
     * Message text from older conventions, in order of preference: the legacy plain attribute, the legacy
     * indexed {@code legacy.N.role/content}, OpenInference's indexed messages, then its plain value. All
     * candidates are consumed, whichever wins.
     */
    private static String olderMessages(GenAiAttributes a, String legacy, String openInference, String value) {
        String plain = a.string(legacy);
        List<Map<String, Object>> indexed = a.indexed(legacy);
        List<Map<String, Object>> inferenceMessages = a.indexed(openInference);
        String inferenceValue = a.string(value);
        if (plain != null) {
            return plain;
        }
        if (indexed != null) {
            return GenAiAttributes.json(indexed);
        }
        if (inferenceMessages != null) {
            return GenAiAttributes.json(unprefix(inferenceMessages, "message."));
        }
        return inferenceValue;
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

    /** Older instrumentations put prompts and exceptions on span events; fold them into the attributes. */
    private static void eventsToAttributes(Span span, GenAiAttributes a) {
        for (Span.Event event : span.getEventsList()) {
            Map<String, Object> attrs = OtlpValues.toMap(event.getAttributesList());
            switch (event.getName()) {
                case "gen_ai.content.prompt" -> putIfAbsent(a, "gen_ai.prompt", attrs.get("gen_ai.prompt"));
                case "gen_ai.content.completion" -> putIfAbsent(a, "gen_ai.completion", attrs.get("gen_ai.completion"));
                case "exception" -> {
                    putIfAbsent(a, "exception.type", attrs.get("exception.type"));
                    putIfAbsent(a, "exception.message", attrs.get("exception.message"));
                }
                default -> {}
            }
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
