package dev.loupe.contracts.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Reads a {@link SpanRecord} from its UTF-8 bytes in one pass of Jackson's streaming parser: no String copy of the
 * payload, no reflection, and the JSON objects ({@code attributes}, {@code metadata}, {@code redactions}) kept as
 * their text (see {@link RawJsonMap}) so a writer can store them without building and re-encoding maps. The result
 * equals {@code EventJson.decode(payload, SpanRecord.class)}: anything this reader is not sure to read the same way
 * (a number where a string is expected, a time in another format, an unknown enum name, bad UTF-8…) is handed to
 * {@link EventJson#decode}, which reads it, or explains why not, as it always has.
 */
public final class SpanJson {
    private static final JsonFactory FACTORY = EventJson.mapper().getFactory();
    private static final TypeFactory TYPES = EventJson.mapper().getTypeFactory();
    private static final JavaType REDACTIONS = TYPES.constructMapType(Map.class, String.class, Integer.class);
    private static final JavaType METADATA = TYPES.constructMapType(Map.class, String.class, String.class);
    private static final JavaType ATTRIBUTES = TYPES.constructMapType(Map.class, String.class, Object.class);

    /** Not this reader's case: the general decoder takes the record. Thrown without a stack trace. */
    private static final class Unsure extends RuntimeException {
        Unsure() {
            super(null, null, false, false);
        }
    }

    private static final Unsure UNSURE = new Unsure();

    private SpanJson() {}

    /**
     * Reads one span and checks it as {@link EventJson#decode} does.
     *
     * @throws UnreadableRecordException as {@link EventJson#decode}
     * @throws IllegalStateException     as {@link EventJson#decode}
     */
    public static SpanRecord decode(byte[] payload) {
        SpanRecord fast = null;
        if (payload != null) {
            try {
                fast = read(payload);
            } catch (IOException | RuntimeException e) {
                fast = null; // the general decoder reads it, or says why not
            }
        }
        if (fast == null) {
            return EventJson.decode(
                    payload == null ? null : new String(payload, StandardCharsets.UTF_8), SpanRecord.class);
        }
        return EventJson.check(fast, SpanRecord.class);
    }

    private static SpanRecord read(byte[] payload) throws IOException {
        int schemaVersion = 0;
        String projectId = null, traceId = null, spanId = null, parentSpanId = null, name = null, provider = null;
        String model = null, requestModel = null, prompt = null, completion = null, parseError = null;
        String errorType = null, errorMessage = null, feature = null, sessionId = null, userId = null;
        String decisionId = null, toolName = null, toolArguments = null, toolResult = null;
        SpanKind kind = null;
        Outcome status = null;
        Instant startTime = null, endTime = null, receivedAt = null;
        Long latencyMs = null, timeToFirstTokenMs = null, inputTokens = null, outputTokens = null;
        Long cachedInputTokens = null, cacheWriteInputTokens = null, reasoningTokens = null;
        BigDecimal costUsd = null;
        boolean truncated = false;
        Map<String, Integer> redactions = null;
        JsonNode parsedOutput = null;
        Map<String, String> metadata = null;
        Map<String, Object> attributes = null;
        try (JsonParser p = FACTORY.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "schemaVersion" -> {
                        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                            return null;
                        }
                        schemaVersion = p.getIntValue();
                    }
                    case "projectId" -> projectId = string(p, v);
                    case "traceId" -> traceId = string(p, v);
                    case "spanId" -> spanId = string(p, v);
                    case "parentSpanId" -> parentSpanId = string(p, v);
                    case "kind" -> kind = v == JsonToken.VALUE_NULL ? null : SpanKind.valueOf(text(p, v));
                    case "name" -> name = string(p, v);
                    case "provider" -> provider = string(p, v);
                    case "model" -> model = string(p, v);
                    case "requestModel" -> requestModel = string(p, v);
                    case "startTime" -> startTime = instant(p, v);
                    case "endTime" -> endTime = instant(p, v);
                    case "latencyMs" -> latencyMs = number(p, v);
                    case "timeToFirstTokenMs" -> timeToFirstTokenMs = number(p, v);
                    case "inputTokens" -> inputTokens = number(p, v);
                    case "outputTokens" -> outputTokens = number(p, v);
                    case "cachedInputTokens" -> cachedInputTokens = number(p, v);
                    case "cacheWriteInputTokens" -> cacheWriteInputTokens = number(p, v);
                    case "reasoningTokens" -> reasoningTokens = number(p, v);
                    case "costUsd" -> costUsd = decimal(p, v);
                    case "prompt" -> prompt = string(p, v);
                    case "completion" -> completion = string(p, v);
                    case "truncated" -> {
                        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
                            return null;
                        }
                        truncated = v == JsonToken.VALUE_TRUE;
                    }
                    case "redactions" -> redactions = object(payload, p, v, REDACTIONS, INT_VALUES);
                    case "parsedOutput" ->
                        parsedOutput = v == JsonToken.VALUE_NULL
                                ? NullNode.getInstance()
                                : EventJson.mapper().readTree(p);
                    case "parseError" -> parseError = string(p, v);
                    case "status" -> status = v == JsonToken.VALUE_NULL ? null : Outcome.valueOf(text(p, v));
                    case "errorType" -> errorType = string(p, v);
                    case "errorMessage" -> errorMessage = string(p, v);
                    case "feature" -> feature = string(p, v);
                    case "sessionId" -> sessionId = string(p, v);
                    case "userId" -> userId = string(p, v);
                    case "decisionId" -> decisionId = string(p, v);
                    case "toolName" -> toolName = string(p, v);
                    case "toolArguments" -> toolArguments = string(p, v);
                    case "toolResult" -> toolResult = string(p, v);
                    case "metadata" -> metadata = object(payload, p, v, METADATA, STRING_VALUES);
                    case "attributes" -> attributes = object(payload, p, v, ATTRIBUTES, ANY_VALUES);
                    case "receivedAt" -> receivedAt = instant(p, v);
                    default -> p.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT) {
                return null;
            }
        }
        return new SpanRecord(
                schemaVersion,
                projectId,
                traceId,
                spanId,
                parentSpanId,
                kind,
                name,
                provider,
                model,
                requestModel,
                startTime,
                endTime,
                latencyMs,
                timeToFirstTokenMs,
                inputTokens,
                outputTokens,
                cachedInputTokens,
                cacheWriteInputTokens,
                reasoningTokens,
                costUsd,
                prompt,
                completion,
                truncated,
                redactions,
                parsedOutput,
                parseError,
                status,
                errorType,
                errorMessage,
                feature,
                sessionId,
                userId,
                decisionId,
                toolName,
                toolArguments,
                toolResult,
                metadata,
                attributes,
                receivedAt);
    }

    private static String string(JsonParser p, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_NULL ? null : text(p, v);
    }

    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw UNSURE;
        }
        return p.getText();
    }

    private static Long number(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw UNSURE;
        }
        JsonParser.NumberType type = p.getNumberType();
        if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
            throw UNSURE;
        }
        return p.getLongValue();
    }

    private static BigDecimal decimal(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) {
            throw UNSURE;
        }
        return p.getDecimalValue();
    }

    private static Instant instant(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        Instant instant = UtcInstantDeserializer.parse(text(p, v));
        if (instant == null) {
            throw UNSURE;
        }
        return instant;
    }

    /** What {@link #object} accepts as values (ints, not an enum: every enum of contracts is a registered contract). */
    private static final int INT_VALUES = 0;

    private static final int STRING_VALUES = 1;
    private static final int ANY_VALUES = 2;

    /**
     * A JSON object as the exact bytes it was written with, its values checked to be what the map's type reads
     * without coercion (a number in {@code metadata} would be read as a string: the general decoder does that).
     */
    private static <V> Map<String, V> object(byte[] payload, JsonParser p, JsonToken v, JavaType type, int values)
            throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.START_OBJECT) {
            throw UNSURE;
        }
        long start = p.currentTokenLocation().getByteOffset();
        if (values == ANY_VALUES) {
            p.skipChildren();
        } else {
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                JsonToken value = p.nextToken();
                boolean fits = value == JsonToken.VALUE_NULL
                        || (values == STRING_VALUES
                                ? value == JsonToken.VALUE_STRING
                                : value == JsonToken.VALUE_NUMBER_INT
                                        && p.getNumberType() == JsonParser.NumberType.INT);
                if (!fits) {
                    throw UNSURE;
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw UNSURE;
            }
        }
        long end = p.currentLocation().getByteOffset();
        if (start < 0 || end <= start || end > payload.length || payload[(int) end - 1] != '}') {
            throw UNSURE;
        }
        return new RawJsonMap<>(new String(payload, (int) start, (int) (end - start), StandardCharsets.UTF_8), type);
    }
}
