package dev.loupe.aggregator.rollup;

import java.nio.ByteBuffer;
import org.HdrHistogram.Histogram;

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

    /** The value at {@code quantile} (0..1), or NaN for an empty sketch. */
    public double quantile(double quantile) {
        if (histogram.getTotalCount() == 0) {
            return Double.NaN;
        }
        return histogram.getValueAtPercentile(quantile * 100.0);
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
