package dev.loupe.aggregator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.json.SpanJson;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The span consumer's decoding alone, in CPU time of one thread (so other load on the machine does not count):
 * the bytes of the write benchmark's spans to the JSON column texts of the insert, the way the aggregator did it
 * before issue 24 (bytes to String, {@code EventJson.decode}, the maps encoded again) and the way it does now
 * ({@code SpanJson.decode}, the kept text). Run only by hand:
 * {@code ./mvnw -B -pl metrics-aggregator -am verify -Pbenchmark -Dtest=DecodeBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false -DskipITs} (docs/benchmarks.md).
 */
class DecodeBenchmark {
    private static final int SPANS = 200_000;

    @Test
    void stringAndDatabindAgainstBytesAndStreaming() {
        List<byte[]> payloads =
                AggregatorBenchmark.spans("bench-decode", Instant.parse("2026-11-20T00:00:00Z"), SPANS, new Random(1))
                        .stream()
                        .map(EventJson::encodeBytes)
                        .toList();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 4; round++) { // rounds 0 and 1 warm the JIT up
            long blackhole = 0;
            long cpu = threads.getCurrentThreadCpuTime();
            for (byte[] payload : payloads) {
                SpanRecord s = EventJson.decode(new String(payload, StandardCharsets.UTF_8), SpanRecord.class);
                blackhole += columns(s, false);
            }
            long before = threads.getCurrentThreadCpuTime() - cpu;
            cpu = threads.getCurrentThreadCpuTime();
            for (byte[] payload : payloads) {
                blackhole += columns(SpanJson.decode(payload), true);
            }
            long after = threads.getCurrentThreadCpuTime() - cpu;
            if (round >= 2) {
                System.out.printf(
                        "decode + JSON columns, %,d spans: String + EventJson.decode + encode %.2f µs/span, "
                                + "bytes + SpanJson.decode + kept text %.2f µs/span, ratio %.2f (%d)%n",
                        SPANS, before / 1000.0 / SPANS, after / 1000.0 / SPANS, (double) before / after, blackhole);
            }
        }
    }

    /** What SpanColumns.toTuple makes of the JSON columns (the old way encoded every map). */
    private static long columns(SpanRecord s, boolean kept) {
        long n = 0;
        for (Object value : new Object[] {s.redactions(), s.metadata(), s.attributes(), s.parsedOutput()}) {
            if (value == null || value instanceof JsonNode node && node.isNull()) {
                continue;
            }
            n += (kept ? EventJson.json(value) : EventJson.encode(value)).length();
        }
        return n + s.spanId().length();
    }
}
