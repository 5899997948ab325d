package dev.loupe.aggregator.rollup;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A mergeable latency distribution in milliseconds: an HdrHistogram with two significant digits (buckets
 * at most 0.78% wide, reported at their middle), auto-resizing. Merging is exact: the merge of two buckets' sketches is the sketch of
 * their union, so percentiles stay right across buckets and dimensions.
 *
 * <p>Stored form: a version byte, then for each non-empty HdrHistogram bucket in ascending order the
 * LEB128 varints (value − previous value, count), value being the bucket's lowest equivalent value.
 * Reading that back records each count into the same bucket, so nothing is lost; unlike HdrHistogram's own
 * encoding it can be added into one accumulating histogram without allocating a full counts array per
 * row, which is what makes a 7-day hourly latency chart cheap.
 */
public final class LatencySketch {
    private static final int SIGNIFICANT_DIGITS = 2;
    private static final byte VERSION = 1;
    /** The bucket layout only (never recorded into): which bucket a value falls in does not depend on the counts. */
    private static final Histogram LAYOUT = new Histogram(SIGNIFICANT_DIGITS);

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
    static LatencySketch decode(byte[] bytes) {
        LatencySketch sketch = empty();
        sketch.addEncoded(bytes);
        return sketch;
    }

    /** Adds a stored sketch to this one. */
    public void addEncoded(byte[] bytes) {
        StoredBuckets buckets = new StoredBuckets(bytes);
        while (buckets.next()) {
            histogram.recordValueWithCount(buckets.value, buckets.count);
        }
    }

    void record(long latencyMs) {
        histogram.recordValue(Math.max(0, latencyMs));
    }

    public long count() {
        return histogram.getTotalCount();
    }

    /**
     * The value at {@code quantile} (0..1) with the same definition as PostgreSQL's {@code percentile_cont}:
     * linear interpolation between the values at ranks floor(q·(n−1)) and ceil(q·(n−1)). NaN when empty.
     */
    public double quantile(double quantile) {
        return quantiles(quantile)[0];
    }

    /** Several quantiles in one walk over the histogram (the walk, not the arithmetic, is what costs). */
    public double[] quantiles(double... quantiles) {
        double[] result = new double[quantiles.length];
        long n = histogram.getTotalCount();
        if (n == 0) {
            Arrays.fill(result, Double.NaN);
            return result;
        }
        long[] ranks = new long[quantiles.length * 2];
        for (int i = 0; i < quantiles.length; i++) {
            double position = quantiles[i] * (n - 1);
            ranks[2 * i] = (long) Math.floor(position);
            ranks[2 * i + 1] = (long) Math.ceil(position);
        }
        long[] sorted = ranks.clone();
        Arrays.sort(sorted);
        double[] sortedValues = new double[sorted.length];
        int next = 0;
        long seen = 0;
        for (HistogramIterationValue v : histogram.recordedValues()) {
            seen += v.getCountAtValueIteratedTo();
            double value = histogram.medianEquivalentValue(v.getValueIteratedTo());
            while (next < sorted.length && sorted[next] < seen) {
                sortedValues[next++] = value;
            }
            if (next == sorted.length) {
                break;
            }
        }
        while (next < sorted.length) {
            sortedValues[next++] = histogram.getMaxValue();
        }
        for (int i = 0; i < quantiles.length; i++) {
            double position = quantiles[i] * (n - 1);
            double lower = sortedValues[Arrays.binarySearch(sorted, ranks[2 * i])];
            double upper = sortedValues[Arrays.binarySearch(sorted, ranks[2 * i + 1])];
            result[i] = lower + (position - ranks[2 * i]) * (upper - lower);
        }
        return result;
    }

    /** The bucket {@code latencyMs} is counted in, named as the stored form names it (its lowest value). */
    public static long bucket(long latencyMs) {
        return LAYOUT.lowestEquivalentValue(Math.max(0, latencyMs));
    }

    /**
     * The stored form of {@code stored} (null or empty: no values) with signed counts per {@link #bucket} added: one
     * merge of two sorted lists, without building a histogram or walking its empty buckets, which is what a rollup
     * write does for every row it touches (issue 24: ~15 % of the aggregator's own CPU went there). The result is
     * byte for byte what a sketch that recorded the resulting values encodes to. A
     * bucket would go below zero only if a value were taken away that was never added: that is an error.
     */
    public static byte[] merge(byte[] stored, SortedMap<Long, Long> change) {
        StoredBuckets buckets = new StoredBuckets(stored);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(buckets.length, 1) + 6 * change.size());
        out.write(VERSION);
        boolean haveStored = buckets.next();
        Iterator<Map.Entry<Long, Long>> changes = change.entrySet().iterator();
        Map.Entry<Long, Long> next = changes.hasNext() ? changes.next() : null;
        long previous = 0;
        while (haveStored || next != null) {
            long value;
            long count;
            if (next == null || (haveStored && buckets.value < next.getKey())) {
                value = buckets.value;
                count = buckets.count;
                haveStored = buckets.next();
            } else {
                value = next.getKey();
                count = next.getValue();
                if (haveStored && buckets.value == value) {
                    count += buckets.count;
                    haveStored = buckets.next();
                }
                next = changes.hasNext() ? changes.next() : null;
            }
            if (count < 0) {
                throw new IllegalStateException("latency bucket " + value + " would hold " + count + " values");
            }
            if (count > 0) {
                writeVarint(out, value - previous);
                writeVarint(out, count);
                previous = value;
            }
        }
        return out.toByteArray();
    }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(VERSION);
        long previous = 0;
        for (HistogramIterationValue v : histogram.recordedValues()) {
            long value = histogram.lowestEquivalentValue(v.getValueIteratedTo());
            writeVarint(out, value - previous);
            writeVarint(out, v.getCountAtValueIteratedTo());
            previous = value;
        }
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** Reads the stored form bucket by bucket, in ascending order: {@link #value} and {@link #count} after each {@link #next}. */
    private static final class StoredBuckets {
        private final byte[] bytes;
        private final int length;
        private int position = 1;
        private long value;
        private long count;

        StoredBuckets(byte[] bytes) {
            this.bytes = bytes;
            this.length = bytes == null ? 0 : bytes.length;
            if (length > 0 && bytes[0] != VERSION) {
                throw new IllegalStateException("unknown latency sketch version " + bytes[0]);
            }
        }

        boolean next() {
            if (position >= length) {
                return false;
            }
            value += readVarint();
            count = readVarint();
            return true;
        }

        private long readVarint() {
            long result = 0;
            int shift = 0;
            while (true) {
                byte b = bytes[position++];
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
                shift += 7;
            }
        }
    }
}
