package dev.loupe.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The client's one mapper and the few tree operations the builders share; tree model only, no reflection. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Sets or (for null) removes a field, so absent values are simply left out of the JSON. */
    static void put(ObjectNode node, String field, String value) {
        if (value == null) {
            node.remove(field);
        } else {
            node.put(field, value);
        }
    }

    static void put(ObjectNode node, String field, Long value) {
        if (value == null) {
            node.remove(field);
        } else {
            node.put(field, value);
        }
    }

    static void put(ObjectNode node, String field, BigDecimal value) {
        if (value == null) {
            node.remove(field);
        } else {
            node.put(field, value);
        }
    }

    /**
     * ISO-8601 UTC, the collector's time format, to the microsecond: what PostgreSQL stores. Finer clocks
     * (JDK 15+ on Linux reads nanoseconds) would only make the stored time differ from the one on Kafka.
     */
    static void put(ObjectNode node, String field, Instant value) {
        put(
                node,
                field,
                value == null ? null : value.truncatedTo(ChronoUnit.MICROS).toString());
    }

    static void put(ObjectNode node, String field, JsonNode value) {
        if (value == null) {
            node.remove(field);
        } else {
            node.set(field, value.deepCopy());
        }
    }

    /** Sets (or for null removes) one entry of an object field such as {@code metadata}. */
    static void putEntry(ObjectNode node, String field, String key, String value) {
        ObjectNode map = node.has(field) ? (ObjectNode) node.get(field) : node.putObject(field);
        put(map, key, value);
        if (map.isEmpty()) {
            node.remove(field);
        }
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
