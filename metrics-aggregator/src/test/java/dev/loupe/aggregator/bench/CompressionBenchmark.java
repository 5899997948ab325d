package dev.loupe.aggregator.bench;

import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Kafka compression of real span records, lz4 against zstd at the producer's default levels: the bytes a record
 * costs on the wire and on disk, and the CPU the producer spends building (compressing) and a consumer spends reading
 * (decompressing) the record batches. Records are built into batches with Kafka's own {@link MemoryRecordsBuilder},
 * what the producer runs per batch; no broker, so the figures are the codec's alone. Run only by hand:
 * {@code ./mvnw -B -pl metrics-aggregator -am verify -Pbenchmark -Dtest=CompressionBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false -DskipITs} (docs/benchmarks.md).
 */
class CompressionBenchmark {
    private static final int RECORDS = Integer.getInteger("loupe.bench.compression-records", 50_000);
    private static final String[] WORDS = ("the a refund order delivery customer account invoice shipping return "
                    + "policy days within support answer document retrieved please contact team product warranty "
                    + "replacement damaged item tracking number address payment card bank transfer credit note")
            .split(" ");

    @Test
    void lz4AgainstZstd() {
        List<SpanRecord> spans = AggregatorBenchmark.spans(
                "bench-compression", Instant.parse("2026-11-20T00:00:00Z"), RECORDS, new Random(1));
        List<byte[]> benchmark = new ArrayList<>(spans.size());
        List<byte[]> varied = new ArrayList<>(spans.size());
        Random random = new Random(7);
        for (SpanRecord s : spans) {
            benchmark.add(EventJson.encodeBytes(s));
            varied.add(EventJson.encodeBytes(s.prompt() == null ? s : withText(s, random)));
        }
        List<byte[]> keys = spans.stream()
                .map(s -> s.traceId().getBytes(StandardCharsets.UTF_8))
                .toList();
        System.out.printf(
                "%n| records | per batch | codec | bytes/record (JSON %s) | ratio | compress µs/record | "
                        + "decompress µs/record |%n|---|---|---|---|---|---|---|%n",
                "mean");
        for (int round = 0; round < 2; round++) { // the first round warms the JIT and the native codecs up
            boolean report = round == 1;
            for (String set : List.of("benchmark", "varied text")) {
                List<byte[]> values = set.equals("benchmark") ? benchmark : varied;
                for (int perBatch : new int[] {10, 100}) {
                    for (Compression codec : List.of(
                            Compression.lz4().build(), Compression.zstd().build())) {
                        run(set, values, keys, perBatch, codec, report);
                    }
                }
            }
        }
    }

    private static void run(
            String set, List<byte[]> values, List<byte[]> keys, int perBatch, Compression codec, boolean report) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long raw = 0;
        long compressed = 0;
        List<MemoryRecords> batches = new ArrayList<>();
        long cpu = threads.getCurrentThreadCpuTime();
        for (int from = 0; from < values.size(); from += perBatch) {
            int to = Math.min(values.size(), from + perBatch);
            int room = 256;
            for (int i = from; i < to; i++) {
                room += values.get(i).length + keys.get(i).length + 64;
            }
            MemoryRecordsBuilder builder = MemoryRecords.builder(
                    ByteBuffer.allocate(room), RecordBatch.CURRENT_MAGIC_VALUE, codec, TimestampType.CREATE_TIME, 0L);
            for (int i = from; i < to; i++) {
                builder.append(1_764_000_000_000L + i, keys.get(i), values.get(i));
                raw += values.get(i).length;
            }
            MemoryRecords batch = builder.build();
            compressed += batch.sizeInBytes();
            batches.add(batch);
        }
        long compressNanos = threads.getCurrentThreadCpuTime() - cpu;
        cpu = threads.getCurrentThreadCpuTime();
        long read = 0;
        for (MemoryRecords batch : batches) {
            for (Record record : batch.records()) {
                read += record.valueSize();
                record.value().get(0);
            }
        }
        long decompressNanos = threads.getCurrentThreadCpuTime() - cpu;
        if (read != raw) {
            throw new AssertionError("read " + read + " of " + raw + " bytes");
        }
        if (report) {
            int n = values.size();
            System.out.printf(
                    "| %s | %d | %s | %.0f (%.0f) | %.2f | %.2f | %.2f |%n",
                    set,
                    perBatch,
                    codec.type().name,
                    (double) compressed / n,
                    (double) raw / n,
                    (double) raw / compressed,
                    compressNanos / 1000.0 / n,
                    decompressNanos / 1000.0 / n);
        }
    }

    /** The span with a prompt and completion of words drawn at random: text that does not repeat across records. */
    private static SpanRecord withText(SpanRecord s, Random random) {
        return new SpanRecord(
                s.schemaVersion(),
                s.projectId(),
                s.traceId(),
                s.spanId(),
                s.parentSpanId(),
                s.kind(),
                s.name(),
                s.provider(),
                s.model(),
                s.requestModel(),
                s.startTime(),
                s.endTime(),
                s.latencyMs(),
                s.timeToFirstTokenMs(),
                s.inputTokens(),
                s.outputTokens(),
                s.cachedInputTokens(),
                s.cacheWriteInputTokens(),
                s.reasoningTokens(),
                s.costUsd(),
                words(random, s.prompt().length()),
                words(random, s.completion().length()),
                s.truncated(),
                s.redactions(),
                s.parsedOutput(),
                s.parseError(),
                s.status(),
                s.errorType(),
                s.errorMessage(),
                s.feature(),
                s.sessionId(),
                s.userId(),
                s.decisionId(),
                s.toolName(),
                s.toolArguments(),
                s.toolResult(),
                s.metadata(),
                s.attributes(),
                s.receivedAt());
    }

    private static String words(Random random, int length) {
        StringBuilder text = new StringBuilder(length + 16);
        while (text.length() < length) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(8) == 0 ? ". " : " ");
        }
        return text.toString();
    }
}
