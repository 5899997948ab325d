package dev.loupe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.common.http.BatchReader;
import dev.loupe.common.http.FieldProblem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.wire.DecisionInput;
import dev.loupe.contracts.wire.SpanInput;
import dev.loupe.testing.AllocationBudget;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Fuzzes the native JSON API the way {@code POST /v1/spans} and {@code POST /v1/decisions} run it: Jackson reads
 * the raw body with the service's conventions, {@link BatchReader} streams, reads and validates item by item, each
 * accepted item is normalised (redaction, hashing, cost) and encoded for Kafka, and the answer is encoded. The only
 * ways out are success and a 4xx {@link ProblemException} (malformed JSON is the problem mapper's 400 naming the
 * body, as a {@link JsonProcessingException} was; also the 400 or 413 of {@link ContentEncodingInterceptor} for
 * {@code gzipSpans}); anything else, or an allocation past {@link AllocationBudget}, is a finding.
 */
class NativeIngestFuzzTest {
    static final int MAX_ITEMS = 1000;
    /** {@code loupe.collector.max-body-bytes}' default: the limit after decompression. */
    static final int MAX_BODY_BYTES = 5 * 1024 * 1024;

    static final Instant RECEIVED_AT = Instant.parse("2026-11-27T10:00:00Z");

    private static final ObjectMapper MAPPER = EventJson.mapper();
    private static final SpanNormalizer SPANS = PlainNormalizers.spans();
    private static final DecisionNormalizer DECISIONS = PlainNormalizers.decisions();

    static {
        // class loading, the price table and regex compilation are one-off costs, not an input's
        ingest(seed("spans/valid-full"), "spans", SpanInput.class, SpanValidator::firstProblem, SPANS::normalize);
        ingest(
                seed("decisions/valid"),
                "decisions",
                DecisionInput.class,
                DecisionValidator::firstProblem,
                DECISIONS::normalize);
        ingestGzip(seed("gzipSpans/valid"));
    }

    @FuzzTest
    void spans(byte[] body) {
        AllocationBudget.run(
                body.length,
                () -> ingest(body, "spans", SpanInput.class, SpanValidator::firstProblem, SPANS::normalize));
    }

    @FuzzTest
    void decisions(byte[] body) {
        AllocationBudget.run(
                body.length,
                () -> ingest(
                        body, "decisions", DecisionInput.class, DecisionValidator::firstProblem, DECISIONS::normalize));
    }

    /** {@code POST /v1/spans} with {@code Content-Encoding: gzip}: inflated within the limit, then as {@link #spans}. */
    @FuzzTest
    void gzipSpans(byte[] body) {
        AllocationBudget.run(body.length, () -> ingestGzip(body));
    }

    static void ingestGzip(byte[] body) {
        byte[] json;
        try {
            json = RequestBodies.decode(body, "gzip", MAX_BODY_BYTES);
        } catch (RequestBodies.UndecodableBody e) {
            // ContentEncodingInterceptor: 400 or 413 naming body
            assertThat(ContentEncodingInterceptor.problem(e).status())
                    .as(e.getMessage())
                    .isIn(400, 413);
            return;
        }
        ingest(json, "spans", SpanInput.class, SpanValidator::firstProblem, SPANS::normalize);
    }

    static byte[] seed(String name) {
        try (InputStream in = NativeIngestFuzzTest.class.getResourceAsStream("NativeIngestFuzzTestInputs/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <I, R> void ingest(
            byte[] body,
            String field,
            Class<I> type,
            Function<I, Optional<FieldProblem>> validator,
            NativeBatchIngest.Normalizer<I, R> normalizer) {
        try {
            BatchReader.Batch<I> batch = BatchReader.read(MAPPER, body, field, MAX_ITEMS, type, validator);
            List<R> records = batch.items().stream()
                    .map(item -> normalizer.normalize("p-fuzz", item.value(), RECEIVED_AT))
                    .toList();
            records.forEach(record -> {
                if (record instanceof dev.loupe.contracts.events.SpanRecord span) {
                    SpanRecordWriter.encode(span);
                } else {
                    EventJson.encodeBytes(record);
                }
            });
            EventJson.encodeBytes(new BatchResult(records.size(), batch.rejected()));
        } catch (ProblemException e) {
            assertThat(e.status()).as(e.getMessage()).isBetween(400, 499);
        }
    }
}
