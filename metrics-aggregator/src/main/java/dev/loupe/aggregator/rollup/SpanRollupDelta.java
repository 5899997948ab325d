package dev.loupe.aggregator.rollup;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * The change one transaction makes to a span rollup table: per key, the counts and the latency
 * distribution to add (or, for a span that moves to its trace's feature, to take away).
 */
public final class SpanRollupDelta {
    /** Sorted, so every transaction locks rollup rows in the same order and two writers cannot deadlock. */
    private final Map<SpanRollupKey, Cell> cells = new TreeMap<>();

    private final Granularity granularity;

    public SpanRollupDelta(Granularity granularity) {
        this.granularity = granularity;
    }

    public Granularity granularity() {
        return granularity;
    }

    public void add(SpanFacts span) {
        cells.computeIfAbsent(span.key(granularity), k -> new Cell()).apply(span, 1);
    }

    public void remove(SpanFacts span) {
        cells.computeIfAbsent(span.key(granularity), k -> new Cell()).apply(span, -1);
    }

    public boolean isEmpty() {
        return cells.isEmpty();
    }

    public Map<SpanRollupKey, Cell> cells() {
        return cells;
    }

    /** Signed sums for one rollup row. */
    public static final class Cell {
        public long spanCount;
        public long structuredCount;
        public long parseFailureCount;
        public long inputTokens;
        public long outputTokens;
        public long cachedInputTokens;
        public long cacheWriteInputTokens;
        public long reasoningTokens;
        public BigDecimal costUsd = BigDecimal.ZERO;
        public long latencyCount;
        public long latencySumMs;
        /** Signed count per latency bucket ({@link LatencySketch#bucket}): what the stored sketch gains and loses. */
        public final TreeMap<Long, Long> latencyChange = new TreeMap<>();

        void apply(SpanFacts s, int sign) {
            spanCount += sign;
            structuredCount += s.structured() ? sign : 0;
            parseFailureCount += s.parseFailed() ? sign : 0;
            inputTokens += sign * s.inputTokens();
            outputTokens += sign * s.outputTokens();
            cachedInputTokens += sign * s.cachedInputTokens();
            cacheWriteInputTokens += sign * s.cacheWriteInputTokens();
            reasoningTokens += sign * s.reasoningTokens();
            costUsd = sign > 0 ? costUsd.add(s.costUsd()) : costUsd.subtract(s.costUsd());
            if (s.latencyMs() != null) {
                latencyCount += sign;
                latencySumMs += sign * s.latencyMs();
                latencyChange.merge(LatencySketch.bucket(s.latencyMs()), (long) sign, Long::sum);
            }
        }

        /** The stored sketch after this change. */
        public byte[] mergedSketch(byte[] stored) {
            return latencyChange.isEmpty() ? stored : LatencySketch.merge(stored, latencyChange);
        }
    }
}
