package dev.loupe.contracts.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * A JSON object read as its text, parsed into the map {@link EventJson#decode} would have built only when someone
 * reads it. The writer of a span stores {@link #json()} as it came (see {@link EventJson#json}), so the common case,
 * a span stored and never looked into, builds no map and writes no JSON. Iterating or changing the map gives up the
 * text (it may no longer match), and the map is then encoded again like any other.
 */
final class RawJsonMap<V> extends AbstractMap<String, V> {
    private final String json;
    private final JavaType type;
    private Map<String, V> map;
    private boolean touched;

    RawJsonMap(String json, JavaType type) {
        this.json = json;
        this.type = type;
    }

    /** The object's text as read, or null once the map was iterated or changed. */
    String json() {
        return touched ? null : json;
    }

    private Map<String, V> map() {
        if (map == null) {
            try {
                map = EventJson.mapper().readValue(json, type);
            } catch (JsonProcessingException e) {
                // the decoder read this very text through the same parser before keeping it
                throw new IllegalStateException("a JSON object read once no longer parses", e);
            }
        }
        return map;
    }

    @Override
    public int size() {
        return map().size();
    }

    @Override
    public boolean isEmpty() {
        return map().isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        return map().containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return map().containsValue(value);
    }

    @Override
    public V get(Object key) {
        return map().get(key);
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
        touched = true;
        return map().entrySet();
    }

    @Override
    public V put(String key, V value) {
        touched = true;
        return map().put(key, value);
    }

    @Override
    public V remove(Object key) {
        touched = true;
        return map().remove(key);
    }

    @Override
    public void clear() {
        touched = true;
        map().clear();
    }
}
