package dev.loupe.aggregator.rollup;

import java.nio.ByteBuffer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A mergeable latency distribution in milliseconds: an HdrHistogram with three significant digits (0.1%
 * value resolution), auto-resizing, stored as HdrHistogram's own byte encoding. Merging is exact: the
 * merge of two buckets' sketches is the sketch of their union, so percentiles stay right across buckets
 * and dimensions.
 */
public final class LatencySketch {
    private static final int SIGNIFICANT_DIGITS = 3;

    private final Histogram histogram;

    private LatencySketch(Histogram histogram) {
        this.histogram = histogram;
    }

    public static LatencySketch empty() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return new LatencySketch(h);
    }

    /** Decodes a stored sketch; {@code null} or empty bytes give an empty sketch. */
    public static LatencySketch decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return empty();
        }
        try {
            Histogram h = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(bytes), 0);
            h.setAutoResize(true);
            return new LatencySketch(h);
        } catch (RuntimeException e) {
            throw new IllegalStateException("unreadable latency sketch", e);
        }
    }

    public void record(long latencyMs) {
        histogram.recordValue(Math.max(0, latencyMs));
    }

    public void add(LatencySketch other) {
        histogram.add(other.histogram);
    }

    /** Removes a distribution previously added (used when a span moves to another feature). */
    public void subtract(LatencySketch other) {
        histogram.subtract(other.histogram);
    }

    public long count() {
        return histogram.getTotalCount();
    }

    /**
     * The value at {@code quantile} (0..1) with the same definition as PostgreSQL's {@code percentile_cont}:
     * linear interpolation between the values at ranks floor(q·(n−1)) and ceil(q·(n−1)). NaN when empty.
     */
    public double quantile(double quantile) {
        long n = histogram.getTotalCount();
        if (n == 0) {
            return Double.NaN;
        }
        double position = quantile * (n - 1);
        long lowerRank = (long) Math.floor(position);
        long upperRank = (long) Math.ceil(position);
        double lower = valueAtRank(lowerRank);
        double upper = upperRank == lowerRank ? lower : valueAtRank(upperRank);
        return lower + (position - lowerRank) * (upper - lower);
    }

    /** The value of the {@code rank}-th smallest recorded sample (0-based). */
    private double valueAtRank(long rank) {
        long seen = 0;
        for (HistogramIterationValue v : histogram.recordedValues()) {
            seen += v.getCountAtValueIteratedTo();
            if (seen > rank) {
                return histogram.medianEquivalentValue(v.getValueIteratedTo());
            }
        }
        return histogram.getMaxValue();
    }

    public byte[] encode() {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return bytes;
    }
}
