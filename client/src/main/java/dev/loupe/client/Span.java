package dev.loupe.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One span as {@code POST /v1/spans} takes it: an LLM call, a retrieval, a tool call… Immutable; made by
 * {@link Builder}, usually through {@link #llm}, {@link #retrieval} or {@link #tool}.
 */
public final class Span implements Telemetry {
    private final ObjectNode json;

    private Span(ObjectNode json) {
        this.json = json;
    }

    /** An LLM call to {@code model}, starting now, in a new trace. */
    public static Builder llm(String model) {
        return of(SpanKind.LLM).model(model);
    }

    /** A retrieval step named {@code name}, starting now, in a new trace. */
    public static Builder retrieval(String name) {
        return of(SpanKind.RETRIEVAL).name(name);
    }

    /** A call of the tool {@code toolName}, starting now, in a new trace. */
    public static Builder tool(String toolName) {
        return of(SpanKind.TOOL).toolName(toolName).name(toolName);
    }

    /** A span of any kind, starting now, with new trace and span ids. */
    public static Builder of(SpanKind kind) {
        return new Builder(Objects.requireNonNull(kind, "kind"));
    }

    public String traceId() {
        return json.get("traceId").asText();
    }

    public String spanId() {
        return json.get("spanId").asText();
    }

    /** A copy of the JSON this span is sent as. */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    @Override
    public Endpoint endpoint() {
        return Endpoint.SPANS;
    }

    @Override
    public ObjectNode json() {
        return json;
    }

    @Override
    public String toString() {
        return json.toString();
    }

    /**
     * Collects a span's fields. Ids and the start time are set when it is created (new ids, now); {@link #end()}
     * stamps the end. Ids are checked here; every other rule is the collector's, and an item it refuses is
     * counted in {@link ClientMetrics#rejected()}. A null value removes the field.
     */
    public static final class Builder {
        private final ObjectNode json = Json.object();

        private Builder(SpanKind kind) {
            json.put("traceId", Ids.traceId());
            json.put("spanId", Ids.spanId());
            json.put("kind", kind.name());
            Json.put(json, "startTime", Instant.now());
        }

        public Builder traceId(String traceId) {
            if (!Ids.isTraceId(traceId)) {
                throw new IllegalArgumentException(
                        "traceId must be 32 lowercase hex characters, not all zero: " + traceId);
            }
            json.put("traceId", traceId);
            return this;
        }

        public Builder spanId(String spanId) {
            if (!Ids.isSpanId(spanId)) {
                throw new IllegalArgumentException(
                        "spanId must be 16 lowercase hex characters, not all zero: " + spanId);
            }
            json.put("spanId", spanId);
            return this;
        }

        public Builder parentSpanId(String parentSpanId) {
            if (parentSpanId != null && !Ids.isSpanId(parentSpanId)) {
                throw new IllegalArgumentException("parentSpanId must be 16 lowercase hex characters: " + parentSpanId);
            }
            Json.put(json, "parentSpanId", parentSpanId);
            return this;
        }

        /** Makes this span a child of {@code parent}: same trace, parent's span id. */
        public Builder childOf(Span parent) {
            return traceId(parent.traceId()).parentSpanId(parent.spanId());
        }

        public Builder name(String name) {
            Json.put(json, "name", name);
            return this;
        }

        public Builder provider(String provider) {
            Json.put(json, "provider", provider);
            return this;
        }

        public Builder model(String model) {
            Json.put(json, "model", model);
            return this;
        }

        /**
         * The model the app asked for ({@code gpt-4o}) when the provider answered with another name
         * ({@code gpt-4o-2024-08-06}): metrics group a call under its request model, so failed and successful calls of
         * one model share a series.
         */
        public Builder requestModel(String requestModel) {
            Json.put(json, "requestModel", requestModel);
            return this;
        }

        public Builder startTime(Instant startTime) {
            Json.put(json, "startTime", Objects.requireNonNull(startTime, "startTime is required"));
            return this;
        }

        public Builder endTime(Instant endTime) {
            Json.put(json, "endTime", endTime);
            return this;
        }

        /** Ends the span now. */
        public Builder end() {
            return endTime(Instant.now());
        }

        /** Only when the times do not say it: the collector derives it from start and end otherwise. */
        public Builder latency(Duration latency) {
            Json.put(json, "latencyMs", latency == null ? null : latency.toMillis());
            return this;
        }

        public Builder timeToFirstToken(Duration timeToFirstToken) {
            Json.put(json, "timeToFirstTokenMs", timeToFirstToken == null ? null : timeToFirstToken.toMillis());
            return this;
        }

        public Builder tokens(long inputTokens, long outputTokens) {
            return inputTokens(inputTokens).outputTokens(outputTokens);
        }

        public Builder inputTokens(Long inputTokens) {
            Json.put(json, "inputTokens", inputTokens);
            return this;
        }

        public Builder outputTokens(Long outputTokens) {
            Json.put(json, "outputTokens", outputTokens);
            return this;
        }

        /** Of the input tokens, how many were read from the provider's prompt cache. */
        public Builder cachedInputTokens(Long cachedInputTokens) {
            Json.put(json, "cachedInputTokens", cachedInputTokens);
            return this;
        }

        /** Of the input tokens, how many were written to the provider's prompt cache (priced at its cache-write price). */
        public Builder cacheWriteInputTokens(Long cacheWriteInputTokens) {
            Json.put(json, "cacheWriteInputTokens", cacheWriteInputTokens);
            return this;
        }

        /** Of the output tokens, how many were reasoning tokens. */
        public Builder reasoningTokens(Long reasoningTokens) {
            Json.put(json, "reasoningTokens", reasoningTokens);
            return this;
        }

        /** Only to override the collector's price table, which prices known models from the tokens. */
        public Builder costUsd(BigDecimal costUsd) {
            Json.put(json, "costUsd", costUsd);
            return this;
        }

        /** The prompt as text or as a JSON string of messages; the collector truncates and redacts it. */
        public Builder prompt(String prompt) {
            Json.put(json, "prompt", prompt);
            return this;
        }

        public Builder completion(String completion) {
            Json.put(json, "completion", completion);
            return this;
        }

        /** The structured output the app parsed from the completion. */
        public Builder parsedOutput(JsonNode parsedOutput) {
            Json.put(json, "parsedOutput", parsedOutput);
            return this;
        }

        /** The structured output as JSON text; {@link IllegalArgumentException} if it is not JSON. */
        public Builder parsedOutputJson(String parsedOutput) {
            return parsedOutput(parsedOutput == null ? null : Json.parse(parsedOutput));
        }

        /** Structured output was expected and did not parse: this is what {@code parse_failure_rate} counts. */
        public Builder parseError(String parseError) {
            Json.put(json, "parseError", parseError);
            return this;
        }

        public Builder status(Outcome status) {
            Json.put(json, "status", status == null ? null : status.name());
            return this;
        }

        /** Status ERROR with its type (e.g. {@code RateLimitError}) and message. */
        public Builder error(String errorType, String errorMessage) {
            status(Outcome.ERROR);
            Json.put(json, "errorType", errorType);
            Json.put(json, "errorMessage", errorMessage);
            return this;
        }

        public Builder feature(String feature) {
            Json.put(json, "feature", feature);
            return this;
        }

        public Builder sessionId(String sessionId) {
            Json.put(json, "sessionId", sessionId);
            return this;
        }

        /** The app's user id; the collector stores only its HMAC. */
        public Builder userId(String userId) {
            Json.put(json, "userId", userId);
            return this;
        }

        /** The user-facing decision this span contributed to (see {@link Decision}). */
        public Builder decisionId(String decisionId) {
            Json.put(json, "decisionId", decisionId);
            return this;
        }

        public Builder toolName(String toolName) {
            Json.put(json, "toolName", toolName);
            return this;
        }

        /** A tool call's arguments (usually JSON); truncated and redacted by the collector like the prompt. */
        public Builder toolArguments(String toolArguments) {
            Json.put(json, "toolArguments", toolArguments);
            return this;
        }

        /** A tool call's result; truncated and redacted by the collector like the completion. */
        public Builder toolResult(String toolResult) {
            Json.put(json, "toolResult", toolResult);
            return this;
        }

        /** The prompt template this call used; kept as metadata {@code promptTemplate}, as OTLP spans do. */
        public Builder promptTemplate(String promptTemplate) {
            return metadata("promptTemplate", promptTemplate);
        }

        /** The template's version; kept as metadata {@code promptVersion}. */
        public Builder promptVersion(String promptVersion) {
            return metadata("promptVersion", promptVersion);
        }

        /** A request-level tag such as {@code tier=pro}; low cardinality, as it may become a dimension. */
        public Builder metadata(String key, String value) {
            Json.putEntry(json, "metadata", Objects.requireNonNull(key, "key"), value);
            return this;
        }

        /** Any other attribute, kept as it is; values should be strings, numbers, booleans, lists or maps. */
        public Builder attribute(String key, Object value) {
            ObjectNode attributes =
                    json.has("attributes") ? (ObjectNode) json.get("attributes") : json.putObject("attributes");
            attributes.set(Objects.requireNonNull(key, "key"), Json.MAPPER.valueToTree(value));
            return this;
        }

        /** The span; the builder may be reused, later changes do not affect it. */
        public Span build() {
            return new Span(json.deepCopy());
        }
    }
}
