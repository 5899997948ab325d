package dev.loupe.evals.evaluators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads an evaluator's config by hand, so every refusal names its field and says what would be accepted. */
final class Config {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonNode node;

    private Config(JsonNode node) {
        this.node = node;
    }

    /** Checks that {@code config} is an object holding only {@code known} fields; null reads as {@code {}}. */
    static Config read(JsonNode config, String... known) {
        if (config == null || config.isNull() || config.isMissingNode()) {
            return new Config(MAPPER.createObjectNode());
        }
        if (!config.isObject()) {
            throw new InvalidConfigException("", "config must be a JSON object");
        }
        Set<String> allowed = Set.of(known);
        for (Iterator<String> names = config.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new InvalidConfigException(name, "unknown field; known: " + String.join(", ", known));
            }
        }
        return new Config(config);
    }

    /** Parses a config schema written as a text block; a typo there is a programming error. */
    static JsonNode schema(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config schema does not parse", e);
        }
    }

    /** The field's value; an explicit JSON null counts as absent, as everywhere in Loupe's JSON. */
    JsonNode get(String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    String string(String field, String fallback) {
        JsonNode value = get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw new InvalidConfigException(field, "must be a string");
        }
        return value.textValue();
    }

    String requiredString(String field) {
        String value = string(field, null);
        if (value == null) {
            throw new InvalidConfigException(field, "required");
        }
        if (value.isEmpty()) {
            throw new InvalidConfigException(field, "must not be empty");
        }
        return value;
    }

    boolean bool(String field, boolean fallback) {
        JsonNode value = get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new InvalidConfigException(field, "must be true or false");
        }
        return value.booleanValue();
    }

    /** An optional integer of at least {@code min}, or null when absent. */
    Integer integer(String field, int min) {
        JsonNode value = get(field);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
            throw new InvalidConfigException(field, "must be an integer of at least " + min);
        }
        return value.intValue();
    }

    long requiredPositiveLong(String field) {
        JsonNode value = get(field);
        if (value == null) {
            throw new InvalidConfigException(field, "required");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
            throw new InvalidConfigException(field, "must be a positive integer");
        }
        return value.longValue();
    }

    BigDecimal requiredPositiveNumber(String field) {
        JsonNode value = get(field);
        if (value == null) {
            throw new InvalidConfigException(field, "required");
        }
        if (!value.isNumber() || value.decimalValue().signum() <= 0) {
            throw new InvalidConfigException(field, "must be a number greater than 0");
        }
        return value.decimalValue();
    }

    JsonNode requiredObject(String field) {
        JsonNode value = get(field);
        if (value == null) {
            throw new InvalidConfigException(field, "required");
        }
        if (!value.isObject()) {
            throw new InvalidConfigException(field, "must be a JSON object");
        }
        return value;
    }

    /** An array of 1..{@code max} non-empty strings; {@code fallback} when absent (null: the field is required). */
    List<String> strings(String field, int max, List<String> fallback) {
        JsonNode value = get(field);
        if (value == null) {
            if (fallback == null) {
                throw new InvalidConfigException(field, "required");
            }
            return fallback;
        }
        if (!value.isArray()) {
            throw new InvalidConfigException(field, "must be an array of strings");
        }
        if (value.isEmpty() || value.size() > max) {
            throw new InvalidConfigException(field, "must hold 1 to " + max + " values, has " + value.size());
        }
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual() || item.textValue().isEmpty()) {
                throw new InvalidConfigException(field + "[" + i + "]", "must be a non-empty string");
            }
            out.add(item.textValue());
        }
        return List.copyOf(out);
    }
}
