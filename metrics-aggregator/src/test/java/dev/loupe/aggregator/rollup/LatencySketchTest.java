package dev.loupe.aggregator.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySketchTest {

    @Test
    void storedFormRoundTripsEveryBucket() {
        LatencySketch sketch = LatencySketch.empty();
        Random random = new Random(3);
        for (int i = 0; i < 5_000; i++) {
            sketch.record((long) Math.exp(5 + random.nextGaussian()));
        }
        LatencySketch back = LatencySketch.decode(sketch.encode());

        assertThat(back.count()).isEqualTo(5_000);
        assertThat(back.encode()).isEqualTo(sketch.encode());
        for (double q : new double[] {0, 0.5, 0.9, 0.99, 1}) {
            assertThat(back.quantile(q)).isEqualTo(sketch.quantile(q));
        }
    }

    @Test
    void mergedSketchesGiveThePercentilesOfTheUnionWithinOnePercent() {
        Random random = new Random(5);
        long[] all = new long[30_000];
        LatencySketch merged = LatencySketch.empty();
        for (int part = 0; part < 3; part++) {
            LatencySketch piece = LatencySketch.empty();
            for (int i = 0; i < 10_000; i++) {
                long v = 50 + (long) Math.exp(6 + part * 0.7 + random.nextGaussian() * 0.8);
                all[part * 10_000 + i] = v;
                piece.record(v);
            }
            merged.addEncoded(piece.encode());
        }
        Arrays.sort(all);
        for (double q : new double[] {0.5, 0.95, 0.99}) {
            double position = q * (all.length - 1);
            int lower = (int) Math.floor(position);
            double exact = all[lower] + (position - lower) * (all[(int) Math.ceil(position)] - all[lower]);
            assertThat(merged.quantile(q)).as("q" + q).isCloseTo(exact, within(exact * 0.01));
        }
    }

    /**
     * The rollup writer's merge of stored bytes and signed bucket counts gives the very bytes of a sketch that
     * recorded the resulting values (the stored ones, plus those added, less those taken away), over stored sketches of every size (none, empty, one value,
     * thousands) and changes that add, take away and both, with latencies from 0 ms to days.
     */
    @Test
    void mergingStoredBytesWithBucketCountsEqualsTheHistogramPath() {
        Random random = new Random(17);
        for (int round = 0; round < 2_000; round++) {
            List<Long> storedValues = new ArrayList<>();
            int storedSize = switch (round % 4) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> random.nextInt(20);
                default -> random.nextInt(3_000);
            };
            for (int i = 0; i < storedSize; i++) {
                storedValues.add(latency(random));
            }
            LatencySketch storedSketch = LatencySketch.empty();
            storedValues.forEach(storedSketch::record);
            byte[] stored = round % 8 == 0 ? null : storedSketch.encode();

            List<Long> resulting = new ArrayList<>(storedValues);
            TreeMap<Long, Long> change = new TreeMap<>();
            for (int i = random.nextInt(12); i > 0; i--) {
                long v = latency(random);
                resulting.add(v);
                change.merge(LatencySketch.bucket(v), 1L, Long::sum);
            }
            List<Long> removable = new ArrayList<>(storedValues);
            for (int i = random.nextInt(6); i > 0 && !removable.isEmpty(); i--) {
                long v = removable.remove(random.nextInt(removable.size()));
                resulting.remove(Long.valueOf(v));
                change.merge(LatencySketch.bucket(v), -1L, Long::sum);
            }

            LatencySketch expected = LatencySketch.empty();
            resulting.forEach(expected::record);
            assertThat(LatencySketch.merge(stored, change))
                    .as("round %d", round)
                    .isEqualTo(expected.encode());
        }
    }

    @Test
    void aBucketIsNamedByItsLowestValueAsHdrHistogramBucketsIt() {
        Histogram reference = new Histogram(2);
        Random random = new Random(23);
        for (int i = 0; i < 100_000; i++) {
            long v = i < 1_000 ? i : latency(random);
            assertThat(LatencySketch.bucket(v)).isEqualTo(reference.lowestEquivalentValue(v));
        }
        assertThat(LatencySketch.bucket(-5)).isZero();
    }

    @Test
    void takingAwayAValueThatWasNeverStoredIsAnError() {
        LatencySketch base = LatencySketch.empty();
        base.record(120);
        TreeMap<Long, Long> change = new TreeMap<>();
        change.put(LatencySketch.bucket(480), -1L);

        assertThatThrownBy(() -> LatencySketch.merge(base.encode(), change))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("480");
        assertThat(LatencySketch.merge(null, new TreeMap<>())).containsExactly(1);
        assertThat(LatencySketch.decode(null).count()).isZero();
    }

    /** Milliseconds from 0 to about three days, log-uniform, so every bucket magnitude is hit. */
    private static long latency(Random random) {
        return (long) Math.exp(random.nextDouble() * 19.4) - 1;
    }
}
