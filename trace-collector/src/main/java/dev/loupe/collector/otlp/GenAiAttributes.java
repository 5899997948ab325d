package dev.loupe.collector.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.loupe.contracts.json.EventJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A span's attributes during mapping: each {@code take…} removes what it reads, so whatever is left at the
 * end is exactly the unmapped attributes that Loupe keeps in {@code attributes}.
 */
final class GenAiAttributes {
    private static final Map<String, Pattern> INDEXED = new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<String, Object> remaining;

    GenAiAttributes(Map<String, Object> attributes) {
        this.remaining = new LinkedHashMap<>(attributes);
    }

    /** The first present key's value as text (numbers and booleans too); all the keys are consumed. */
    String string(String... keys) {
        Object value = take(keys);
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof List<?> || value instanceof Map<?, ?>) {
            return json(value);
        }
        return String.valueOf(value);
    }

    Long number(String... keys) {
        Object value = take(keys);
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value instanceof String s) {
            try {
                return (long) Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    List<String> strings(String key) {
        Object value = take(key);
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(item -> out.add(String.valueOf(item)));
        } else if (value instanceof String s) {
            out.add(s);
        }
        return out;
    }

    /**
     * Indexed attributes such as {@code gen_ai.prompt.0.role} / {@code .content}: consumed and returned as
     * an ordered list of {@code {"role": …, "content": …}} maps, or null when there are none.
     */
    List<Map<String, Object>> indexed(String prefix) {
        String dotted = prefix + ".";
        if (remaining.keySet().stream().noneMatch(k -> k.startsWith(dotted))) {
            return null;
        }
        // at most 9 digits, so the index always fits an int; a longer one is no message index and stays an attribute
        Pattern pattern =
                INDEXED.computeIfAbsent(prefix, p -> Pattern.compile(Pattern.quote(p) + "\\.(\\d{1,9})\\.(.+)"));
        TreeMap<Integer, Map<String, Object>> byIndex = new TreeMap<>();
        Iterator<Map.Entry<String, Object>> it = remaining.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Object> e = it.next();
            if (!e.getKey().startsWith(dotted)) {
                continue;
            }
            Matcher m = pattern.matcher(e.getKey());
            if (m.matches()) {
                byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new LinkedHashMap<>())
                        .put(m.group(2), e.getValue());
                it.remove();
            }
        }
        if (byIndex.isEmpty()) {
            return null;
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> item : byIndex.values()) {
            // role first, then content, then the rest: how people read a message
            Map<String, Object> ordered = new LinkedHashMap<>();
            item.keySet().stream().sorted(GenAiAttributes::messageKeyOrder).forEach(k -> ordered.put(k, item.get(k)));
            items.add(ordered);
        }
        return items;
    }

    /** Consumes every attribute under {@code prefix.} and returns them without the prefix. */
    Map<String, String> prefixed(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, Object>> it = remaining.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Object> e = it.next();
            if (e.getKey().startsWith(prefix + ".")) {
                out.put(e.getKey().substring(prefix.length() + 1), String.valueOf(e.getValue()));
                it.remove();
            }
        }
        return out;
    }

    /** The first present key's value as it came (string, number, list, map…); all the keys are consumed. */
    Object raw(String... keys) {
        return take(keys);
    }

    /** A value without consuming it. */
    Object peek(String key) {
        return remaining.get(key);
    }

    /** Removes every attribute whose key the filter accepts; returns how many there were. */
    int removeIf(java.util.function.Predicate<String> filter) {
        int removed = 0;
        Iterator<Map.Entry<String, Object>> it = remaining.entrySet().iterator();
        while (it.hasNext()) {
            if (filter.test(it.next().getKey())) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    boolean has(String key) {
        return remaining.containsKey(key);
    }

    Map<String, Object> remaining() {
        return remaining;
    }

    private static int messageKeyOrder(String a, String b) {
        return Integer.compare(rank(a), rank(b)) != 0 ? Integer.compare(rank(a), rank(b)) : a.compareTo(b);
    }

    private static int rank(String key) {
        return key.endsWith("role") ? 0 : key.endsWith("content") ? 1 : 2;
    }

    static String json(Object value) {
        try {
            return EventJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    private Object take(String... keys) {
        Object found = null;
        for (String key : keys) {
            Object value = remaining.remove(key);
            if (found == null && value != null) {
                found = value;
            }
        }
        return found;
    }
}
