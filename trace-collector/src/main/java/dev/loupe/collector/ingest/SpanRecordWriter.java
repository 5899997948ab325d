package dev.loupe.collector.ingest;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * Writes a {@link SpanRecord} as the UTF-8 JSON the collector puts on {@code loupe.spans.v1}, field by field with a
 * {@link JsonGenerator} of {@link EventJson}'s factory: the same bytes as {@link EventJson#encodeBytes} (record
 * component order, nulls written, ISO-8601 instants, enum names, {@link BigDecimal#toString()}), without Jackson's
 * bean serializer and its accessor calls, which were about 30 % of the OTLP path. Only the open-ended values (a
 * {@code parsedOutput} tree, an attribute value that is not a plain scalar) go through {@link EventJson}'s mapper,
 * on the same generator. Nothing here is reached by reflection, so a native image needs no registration for it.
 * {@code SpanRecordWriterTest} holds it to byte-identity with {@link EventJson}.
 */
public final class SpanRecordWriter {
    private static final ObjectMapper MAPPER = EventJson.mapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private SpanRecordWriter() {}

    /** The record's JSON bytes, identical to {@code EventJson.encodeBytes(span)}. */
    public static byte[] encode(SpanRecord span) {
        ByteArrayBuilder out = new ByteArrayBuilder(2048);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            write(g, span);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise SpanRecord", e);
        }
        return out.toByteArray();
    }

    static void write(JsonGenerator g, SpanRecord s) throws IOException {
        g.writeStartObject();
        g.writeNumberField("schemaVersion", s.schemaVersion());
        string(g, "projectId", s.projectId());
        string(g, "traceId", s.traceId());
        string(g, "spanId", s.spanId());
        string(g, "parentSpanId", s.parentSpanId());
        string(g, "kind", s.kind() == null ? null : s.kind().name());
        string(g, "name", s.name());
        string(g, "provider", s.provider());
        string(g, "model", s.model());
        string(g, "requestModel", s.requestModel());
        instant(g, "startTime", s.startTime());
        instant(g, "endTime", s.endTime());
        number(g, "latencyMs", s.latencyMs());
        number(g, "timeToFirstTokenMs", s.timeToFirstTokenMs());
        number(g, "inputTokens", s.inputTokens());
        number(g, "outputTokens", s.outputTokens());
        number(g, "cachedInputTokens", s.cachedInputTokens());
        number(g, "cacheWriteInputTokens", s.cacheWriteInputTokens());
        number(g, "reasoningTokens", s.reasoningTokens());
        g.writeFieldName("costUsd");
        if (s.costUsd() == null) {
            g.writeNull();
        } else {
            g.writeNumber(s.costUsd());
        }
        string(g, "prompt", s.prompt());
        string(g, "completion", s.completion());
        g.writeBooleanField("truncated", s.truncated());
        g.writeFieldName("redactions");
        if (s.redactions() == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            for (Map.Entry<String, Integer> e : s.redactions().entrySet()) {
                g.writeFieldName(key(e.getKey()));
                if (e.getValue() == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(e.getValue());
                }
            }
            g.writeEndObject();
        }
        g.writeFieldName("parsedOutput");
        if (s.parsedOutput() == null) {
            g.writeNull();
        } else {
            MAPPER.writeValue(g, s.parsedOutput());
        }
        string(g, "parseError", s.parseError());
        string(g, "status", s.status() == null ? null : s.status().name());
        string(g, "errorType", s.errorType());
        string(g, "errorMessage", s.errorMessage());
        string(g, "feature", s.feature());
        string(g, "sessionId", s.sessionId());
        string(g, "userId", s.userId());
        string(g, "decisionId", s.decisionId());
        string(g, "toolName", s.toolName());
        string(g, "toolArguments", s.toolArguments());
        string(g, "toolResult", s.toolResult());
        g.writeFieldName("metadata");
        if (s.metadata() == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            for (Map.Entry<String, String> e : s.metadata().entrySet()) {
                g.writeFieldName(key(e.getKey()));
                g.writeString(e.getValue()); // null → null, as Jackson writes it
            }
            g.writeEndObject();
        }
        g.writeFieldName("attributes");
        if (s.attributes() == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : s.attributes().entrySet()) {
                g.writeFieldName(key(e.getKey()));
                value(g, e.getValue());
            }
            g.writeEndObject();
        }
        instant(g, "receivedAt", s.receivedAt());
        g.writeEndObject();
    }

    private static String key(String key) {
        if (key == null) {
            // what Jackson's map serializer refuses too
            throw new IllegalStateException("cannot serialise SpanRecord: a map with a null key");
        }
        return key;
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value); // writeString(null) writes null
    }

    private static void instant(JsonGenerator g, String name, Instant value) throws IOException {
        g.writeFieldName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(value.toString()); // jackson-datatype-jsr310's InstantSerializer: ISO-8601, Instant.toString
        }
    }

    private static void number(JsonGenerator g, String name, Long value) throws IOException {
        g.writeFieldName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeNumber(value.longValue());
        }
    }

    private static void value(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String text) {
            g.writeString(text);
        } else if (value instanceof Long n) {
            g.writeNumber(n.longValue());
        } else if (value instanceof Integer n) {
            g.writeNumber(n.intValue());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof BigDecimal n) {
            g.writeNumber(n);
        } else if (value instanceof Double n) {
            g.writeNumber(n.doubleValue());
        } else {
            MAPPER.writeValue(g, value); // lists, maps, trees, other numbers: Jackson's own serializers
        }
    }
}
