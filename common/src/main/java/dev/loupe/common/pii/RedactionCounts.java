package dev.loupe.common.pii;

import java.util.Map;
import java.util.TreeMap;

/** What redaction replaced in one record, by kind ({@code {"email": 2, "card": 1}}). */
public final class RedactionCounts {
    private final Map<String, Integer> counts = new TreeMap<>();

    public void add(String kind, int n) {
        if (n > 0) {
            counts.merge(kind, n, Integer::sum);
        }
    }

    public Map<String, Integer> asMap() {
        return Map.copyOf(counts);
    }
}
