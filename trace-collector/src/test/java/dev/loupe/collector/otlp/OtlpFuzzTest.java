package dev.loupe.collector.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loupe.collector.ingest.PlainNormalizers;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.AllocationBudget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Fuzzes OTLP/HTTP decoding the way {@code POST /v1/traces} runs it: decompress, decode (protobuf or OTLP JSON),
 * map the semantic conventions, validate, normalise, encode the records and the answer. The only way out is
 * success or an {@link OtlpException} with a 4xx status (its {@code google.rpc.Status} body encoded too); any
 * other exception, a stack overflow, or an allocation past {@link AllocationBudget} is a finding.
 *
 * <p>{@code mvn test} replays {@code src/test/resources/dev/loupe/collector/otlp/OtlpFuzzTestInputs/<method>/};
 * {@code JAZZER_FUZZ=1} fuzzes one method for real (see the module README).
 */
class OtlpFuzzTest {
    /** The collector's defaults ({@code CollectorConfig}): body limit after decompression, spans per request. */
    static final int MAX_BODY_BYTES = 5 * 1024 * 1024;

    static final int MAX_SPANS = 1000;
    static final Instant RECEIVED_AT = Instant.parse("2026-11-27T10:00:00Z");

    private static final OtlpRequestMapper MAPPER = new OtlpRequestMapper(
            PlainNormalizers.spans(), PlainNormalizers.decisions(), MAX_SPANS, new SimpleMeterRegistry());

    static {
        // class loading, the price table and regex compilation are one-off costs, not an input's
        export(seed("protobuf/valid-genai-and-openinference"), null, false);
        export(seed("json/valid-camel-and-snake-case"), null, true);
        export(seed("gzipProtobuf/valid"), "gzip", false);
    }

    @FuzzTest
    void protobuf(byte[] body) {
        AllocationBudget.run(body.length, () -> export(body, null, false));
    }

    @FuzzTest
    void json(byte[] body) {
        AllocationBudget.run(body.length, () -> export(body, null, true));
    }

    @FuzzTest
    void gzipProtobuf(byte[] body) {
        AllocationBudget.run(body.length, () -> export(body, "gzip", false));
    }

    static byte[] seed(String name) {
        try (InputStream in = OtlpFuzzTest.class.getResourceAsStream("OtlpFuzzTestInputs/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything {@code OtlpTraceResource.export} does with a body, short of the rate limit and Kafka. */
    static void export(byte[] body, String contentEncoding, boolean json) {
        try {
            ExportTraceServiceRequest request =
                    OtlpCodec.parse(OtlpCodec.decompress(body, contentEncoding, MAX_BODY_BYTES), json);
            OtlpRequestMapper.Mapping mapping = MAPPER.map(request, "p-fuzz", RECEIVED_AT);
            mapping.spans().forEach(EventJson::encodeBytes);
            mapping.decisions().forEach(EventJson::encodeBytes);
            OtlpCodec.encode(mapping.response(), json);
        } catch (OtlpException e) {
            assertThat(e.httpStatus()).as(e.getMessage()).isBetween(400, 499);
            OtlpCodec.status(e.grpcCode(), e.getMessage(), json);
        }
    }
}
