package dev.loupe.aggregator.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
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

    @Test
    void subtractingWhatWasAddedRestoresTheSketch() {
        LatencySketch base = LatencySketch.empty();
        base.record(120);
        base.record(480);
        LatencySketch moved = LatencySketch.empty();
        moved.record(480);

        LatencySketch result = LatencySketch.decode(base.encode());
        result.subtract(moved);

        assertThat(result.count()).isEqualTo(1);
        assertThat(result.quantile(0.5)).isEqualTo(120);
        assertThat(LatencySketch.decode(null).count()).isZero();
    }
}
