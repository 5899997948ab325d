package dev.loupe.collector.otlp;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.google.protobuf.ByteString;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Every kind of bad OTLP input gets its documented status and never a 500. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OtlpBadInputTest {
    static final String PROTOBUF = "application/x-protobuf";

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String key;

    @Test
    void truncatedProtobufIsAFinal400() {
        byte[] good = request(span(TestSpans.randomHex(32), TestSpans.randomHex(16), 10))
                .toByteArray();
        given().auth()
                .oauth2(key)
                .contentType(PROTOBUF)
                .body(Arrays.copyOf(good, good.length - 7))
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(400)
                .contentType(PROTOBUF);
    }

    @Test
    void wrongContentTypeIs415() {
        given().auth()
                .oauth2(key)
                .contentType("text/plain")
                .body("hello")
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(415);
    }

    @Test
    void gzipBombIsRefusedAfterDecompression() throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write(new byte[16 * 1024 * 1024]);
        }
        assertThat(compressed.size()).isLessThan(32 * 1024);
        given().auth()
                .oauth2(key)
                .contentType(PROTOBUF)
                .header("Content-Encoding", "gzip")
                .body(compressed.toByteArray())
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(413);
    }

    @Test
    void invalidHexIdInJsonIs400WithAStatusBody() {
        String json =
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\",\"spanId\":\"00f067aa0ba902b7\","
                        + "\"name\":\"x\",\"startTimeUnixNano\":\"1764237600000000000\"}]}]}]}";
        given().auth()
                .oauth2(key)
                .contentType("application/json")
                .body(json)
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(400)
                .contentType(startsWith("application/json"))
                .body("code", equalTo(3));
    }

    @Test
    void negativeTokensRejectOnlyThatSpanAsPartialSuccess() throws Exception {
        String traceId = TestSpans.randomHex(32);
        Span good = span(traceId, TestSpans.randomHex(16), 10);
        Span bad = span(traceId, TestSpans.randomHex(16), -5);
        byte[] answer = given().auth()
                .oauth2(key)
                .contentType(PROTOBUF)
                .body(request(good, bad).toByteArray())
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .contentType(PROTOBUF)
                .extract()
                .asByteArray();

        ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(answer);
        assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(response.getPartialSuccess().getErrorMessage()).contains("inputTokens");
    }

    @Test
    void batchOverTheItemLimitIs413() {
        Span[] spans = new Span[10_000];
        String traceId = TestSpans.randomHex(32);
        for (int i = 0; i < spans.length; i++) {
            spans[i] = span(traceId, TestSpans.randomHex(16), 1);
        }
        given().auth()
                .oauth2(key)
                .contentType(PROTOBUF)
                .body(request(spans).toByteArray())
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(413);
    }

    @Test
    void unicodeAndControlCharactersInPromptsArriveIntactButNul() {
        String traceId = TestSpans.randomHex(32);
        String spanId = TestSpans.randomHex(16);
        Span span = span(traceId, spanId, 3).toBuilder()
                .addAttributes(attr("gen_ai.prompt", "héllo 日本語 🙂 tab\there bell\u0007 nul\u0000 end"))
                .build();
        given().auth()
                .oauth2(key)
                .contentType(PROTOBUF)
                .body(request(span).toByteArray())
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200);

        SpanRecord record = EventJson.decode(
                TopicReader.awaitKey(Topics.SPANS, traceId, Duration.ofSeconds(10))
                        .value(),
                SpanRecord.class);
        assertThat(record.prompt()).isEqualTo("héllo 日本語 🙂 tab\there bell\u0007 nul\uFFFD end");
    }

    @Test
    void openInferenceAttributesInOtlpJsonWithStringInt64AndIntegerEnums() {
        String traceId = TestSpans.randomHex(32);
        String json = """
                {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"rag"}}]},
                 "scopeSpans":[{"spans":[{"traceId":"%s","spanId":"00f067aa0ba902b7","name":"retrieve","kind":3,
                  "startTimeUnixNano":"1764237600000000000","endTimeUnixNano":1764237600250000000,
                  "status":{"code":0},
                  "attributes":[
                   {"key":"openinference.span.kind","value":{"stringValue":"RETRIEVER"}},
                   {"key":"llm.model_name","value":{"stringValue":"gpt-4o-mini"}},
                   {"key":"llm.token_count.prompt","value":{"intValue":"120"}},
                   {"key":"llm.token_count.completion","value":{"intValue":30}},
                   {"key":"input.value","value":{"stringValue":"where is my order?"}},
                   {"key":"output.value","value":{"stringValue":"it ships today"}},
                   {"key":"session.id","value":{"stringValue":"sess-1"}},
                   {"key":"retrieval.documents.0.document.id","value":{"stringValue":"doc-1"}},
                   {"key":"retrieval.documents.0.document.score","value":{"doubleValue":0.9}}]}]}]}]}
                """.formatted(traceId);
        given().auth()
                .oauth2(key)
                .contentType("application/json")
                .body(json)
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/json"));

        SpanRecord record = EventJson.decode(
                TopicReader.awaitKey(Topics.SPANS, traceId, Duration.ofSeconds(10))
                        .value(),
                SpanRecord.class);
        assertThat(record.kind()).isEqualTo(SpanKind.RETRIEVAL);
        assertThat(record.model()).isEqualTo("gpt-4o-mini");
        assertThat(record.inputTokens()).isEqualTo(120L);
        assertThat(record.outputTokens()).isEqualTo(30L);
        assertThat(record.prompt()).isEqualTo("where is my order?");
        assertThat(record.completion()).isEqualTo("it ships today");
        assertThat(record.sessionId()).isEqualTo("sess-1");
        assertThat(record.latencyMs()).isEqualTo(250L);
        assertThat(record.attributes())
                .containsEntry("resource.service.name", "rag")
                .doesNotContainKey("retrieval.documents.0.document.id");
    }

    @Test
    void emptyRequestIsASuccess() {
        given().auth()
                .oauth2(key)
                .contentType(PROTOBUF)
                .body(new byte[0])
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .contentType(PROTOBUF);
    }

    @Test
    void missingKeyIs401() {
        given().contentType(PROTOBUF)
                .body(request().toByteArray())
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(401);
    }

    private static ExportTraceServiceRequest request(Span... spans) {
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(Arrays.asList(spans))))
                .build();
    }

    private static Span span(String traceId, String spanId, long inputTokens) {
        long start = 1_764_237_600_000_000_000L;
        return Span.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceId)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanId)))
                .setName("chat gpt-4o")
                .setStartTimeUnixNano(start)
                .setEndTimeUnixNano(start + 1_000_000_000L)
                .addAttributes(attr("gen_ai.operation.name", "chat"))
                .addAttributes(KeyValue.newBuilder()
                        .setKey("gen_ai.usage.input_tokens")
                        .setValue(AnyValue.newBuilder().setIntValue(inputTokens)))
                .build();
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }
}
