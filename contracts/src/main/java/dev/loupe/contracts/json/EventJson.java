package dev.loupe.contracts.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.loupe.contracts.events.LoupeEvent;
import dev.loupe.contracts.events.SchemaVersions;
import java.time.Instant;

/**
 * The one JSON codec for records on Kafka: ISO-8601 times, nulls written, unknown fields tolerated,
 * and a clear {@link UnreadableRecordException} for anything a consumer cannot read.
 */
public final class EventJson {
    /**
     * What any JSON a service reads may hold, set here rather than left to Jackson's defaults so an upgrade cannot
     * loosen them. Nesting is the one below the default (1000): trees are redacted, copied and written recursively
     * on event-loop threads, and no span, decision or OTLP body nests past a few dozen levels. Strings and numbers
     * keep Jackson's defaults; the body limits (5 MiB) bound them first.
     */
    public static final StreamReadConstraints READ_LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(256)
            .maxStringLength(20_000_000)
            .maxNumberLength(1000)
            .maxNameLength(50_000)
            .build();

    private static final ObjectMapper MAPPER = configure(JsonMapper.builder().build());

    private EventJson() {}

    /** Applies Loupe's conventions to a mapper (also used for Quarkus' own mapper). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(READ_LIMITS);
        mapper.registerModule(new JavaTimeModule());
        mapper.registerModule(
                new SimpleModule("loupe-utc-instants").addDeserializer(Instant.class, new UtcInstantDeserializer()));
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        return mapper;
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String encode(Object record) {
        try {
            return MAPPER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + record.getClass().getSimpleName(), e);
        }
    }

    /** UTF-8 JSON bytes, as they go on the wire: cheaper than a String for hot producers. */
    public static byte[] encodeBytes(Object record) {
        try {
            return MAPPER.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + record.getClass().getSimpleName(), e);
        }
    }

    /**
     * The JSON text of a value read by a decoder of this package: the text it was read from when it is still that
     * (a JSON object {@link SpanJson} kept as text), else the value encoded. Null for null.
     */
    public static String json(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof RawJsonMap<?> raw) {
            String text = raw.json();
            if (text != null) {
                return text;
            }
        }
        return encode(value);
    }

    /**
     * Reads one record and checks its {@code schemaVersion}.
     *
     * @throws UnreadableRecordException when the payload is not JSON, does not fit the record, or
     *                                   carries a schema version this build does not know
     * @throws IllegalStateException     when Jackson cannot build the type at all (an
     *                                   {@link InvalidDefinitionException}: a bug in the type or a missing
     *                                   reflection registration in a native image). That is this build's fault, not
     *                                   the record's: the consumer must hold the record and retry, never dead-letter
     *                                   it.
     */
    public static <T extends LoupeEvent> T decode(String payload, Class<T> type) {
        if (payload == null || payload.isBlank()) {
            throw new UnreadableRecordException("empty payload");
        }
        T record;
        try {
            record = MAPPER.readValue(payload, type);
        } catch (InvalidDefinitionException e) {
            throw new IllegalStateException(
                    "cannot build " + type.getSimpleName() + " from JSON (a fault of this build, not of the record): "
                            + e.getOriginalMessage(),
                    e);
        } catch (JsonProcessingException e) {
            throw new UnreadableRecordException(
                    "not a readable " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
        return check(record, type);
    }

    /** {@link #decode}'s checks of a record read some other way ({@link SpanJson}). */
    static <T extends LoupeEvent> T check(T record, Class<T> type) {
        if (record == null) {
            // the payload "null": the record's fault, not a NullPointerException that would hold the partition
            throw new UnreadableRecordException("a JSON null, not a " + type.getSimpleName());
        }
        int version = record.schemaVersion();
        if (version < 1 || version > SchemaVersions.CURRENT) {
            throw new UnreadableRecordException("unsupported schemaVersion " + version + " for " + type.getSimpleName()
                    + " (this build reads 1.." + SchemaVersions.CURRENT + ")");
        }
        if (record.projectId() == null || record.projectId().isBlank()) {
            throw new UnreadableRecordException(type.getSimpleName() + " without projectId");
        }
        return record;
    }
}
