package dev.loupe.collector.packaged;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import com.google.protobuf.ByteString;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.LaunchedArtifact;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import dev.loupe.testing.TopicReader;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged trace-collector (fast-jar; native executable with {@code -Dnative}) as apps and an operator meet it:
 * over HTTP and Kafka only. Each endpoint family is called for real and its records read back from the topics, so
 * what the artifact needs at run time (Jackson on the contracts' records, protobuf, the price table, the redaction
 * patterns, the key cache) is exercised in the artifact itself. One launch for the class.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(PackagedCollectorSettings.class)
class CollectorIT {
    static final String PROTOBUF = "application/x-protobuf";
    static final Duration KAFKA = Duration.ofSeconds(20);

    private TestProject project;

    @BeforeEach
    void readTheSeededProject() {
        project = LaunchedArtifact.project("project-a");
    }

    @Test
    void aSpanIsRedactedPricedAndPublishedUnderTheKeysProject() {
        TestSpans span = TestSpans.llm()
                .with("projectId", "someone-elses-project")
                .with("prompt", "I am jane@example.com, " + PackagedCollectorSettings.CANARY + ", refund?");
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(span))
                .when()
                .post("/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1))
                .body("rejected", hasSize(0));

        ConsumerRecord<String, String> published = TopicReader.awaitKey(Topics.SPANS, span.traceId(), KAFKA);
        SpanRecord record = EventJson.decode(published.value(), SpanRecord.class);
        assertThat(record.projectId()).isEqualTo(project.id());
        assertThat(record.spanId()).isEqualTo(span.spanId());
        assertThat(record.latencyMs()).isEqualTo(1250L);
        assertThat(record.prompt()).isEqualTo("I am [EMAIL], [CANARY], refund?");
        assertThat(record.redactions()).containsEntry("email", 1);
        // gpt-4o from the shipped price table: 812 input tokens at 2.5e-6, 143 output tokens at 1e-5
        assertThat(record.costUsd()).isEqualByComparingTo("0.00346");
        assertThat(record.userId()).isNotEqualTo("u-42").hasSize(64);
        assertThat(published.value())
                .doesNotContain("jane@example.com")
                .doesNotContain(PackagedCollectorSettings.CANARY);
    }

    @Test
    void aDecisionIsPublishedWithItsRetrievalTextHashed() {
        String decisionId = "d-" + TestSpans.randomHex(8);
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisions",
                        List.of(Map.of(
                                "decisionId",
                                decisionId,
                                "feature",
                                "support-rag",
                                "input",
                                "refund order 17?",
                                "retrievalResults",
                                List.of(Map.of("docId", "kb-12", "score", 0.82, "text", "Refunds within 30 days")),
                                "occurredAt",
                                "2026-11-27T10:00:00Z"))))
                .when()
                .post("/v1/decisions")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));

        ConsumerRecord<String, String> published = TopicReader.awaitKey(Topics.DECISIONS, decisionId, KAFKA);
        DecisionRecord record = EventJson.decode(published.value(), DecisionRecord.class);
        assertThat(record.projectId()).isEqualTo(project.id());
        assertThat(record.feature()).isEqualTo("support-rag");
        assertThat(record.retrievalResults()).singleElement().satisfies(r -> {
            assertThat(r.docId()).isEqualTo("kb-12");
            assertThat(r.textHash()).hasSize(64);
        });
        assertThat(published.value()).doesNotContain("Refunds within 30 days");
    }

    @Test
    void otlpProtobufBecomesSpansAndTheRootSpansDecision() throws Exception {
        String traceId = TestSpans.randomHex(32);
        Span root = span(traceId, TestSpans.randomHex(16), 10).toBuilder()
                .addAttributes(attr("loupe.feature", "support-chat"))
                .addAttributes(attr("gen_ai.request.model", "gpt-4o"))
                .build();
        byte[] answer = given().auth()
                .oauth2(project.secretKey())
                .contentType(PROTOBUF)
                .body(request(root).toByteArray())
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .contentType(PROTOBUF)
                .extract()
                .asByteArray();
        assertThat(ExportTraceServiceResponse.parseFrom(answer).hasPartialSuccess())
                .isFalse();

        SpanRecord span = EventJson.decode(
                TopicReader.awaitKey(Topics.SPANS, traceId, KAFKA).value(), SpanRecord.class);
        assertThat(span.projectId()).isEqualTo(project.id());
        assertThat(span.kind()).isEqualTo(SpanKind.LLM);
        assertThat(span.model()).isEqualTo("gpt-4o");
        assertThat(span.inputTokens()).isEqualTo(10L);
        assertThat(span.feature()).isEqualTo("support-chat");
        // a root span with a feature also yields a decision, id = the trace id
        DecisionRecord decision = EventJson.decode(
                TopicReader.awaitKey(Topics.DECISIONS, traceId, KAFKA).value(), DecisionRecord.class);
        assertThat(decision.projectId()).isEqualTo(project.id());
        assertThat(decision.feature()).isEqualTo("support-chat");
    }

    @Test
    void otlpGrpcOnItsOwnPortPublishesLikeOtlpHttpAndRefusesAnUnknownKey() throws Exception {
        int port = Integer.parseInt(LaunchedArtifact.config("quarkus.grpc.server.port"));
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        try {
            String traceId = TestSpans.randomHex(32);
            Span root = span(traceId, TestSpans.randomHex(16), 12).toBuilder()
                    .addAttributes(attr("loupe.feature", "grpc-chat"))
                    .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini"))
                    .build();
            ExportTraceServiceResponse answer =
                    grpc(channel, "Bearer " + project.secretKey()).export(request(root));
            assertThat(answer.hasPartialSuccess()).isFalse();
            SpanRecord span = EventJson.decode(
                    TopicReader.awaitKey(Topics.SPANS, traceId, KAFKA).value(), SpanRecord.class);
            assertThat(span.projectId()).isEqualTo(project.id());
            assertThat(span.model()).isEqualTo("gpt-4o-mini");
            assertThat(span.inputTokens()).isEqualTo(12L);
            DecisionRecord decision = EventJson.decode(
                    TopicReader.awaitKey(Topics.DECISIONS, traceId, KAFKA).value(), DecisionRecord.class);
            assertThat(decision.feature()).isEqualTo("grpc-chat");

            StatusRuntimeException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                    StatusRuntimeException.class,
                    () -> grpc(channel, "Bearer lp_sk_unknown").export(request(root)));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static TraceServiceGrpc.TraceServiceBlockingStub grpc(ManagedChannel channel, String authorization) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        return TraceServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void otlpJsonIsAnsweredInJson() {
        String traceId = TestSpans.randomHex(32);
        String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + traceId
                + "\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"chat\",\"startTimeUnixNano\":\"1764237600000000000\","
                + "\"endTimeUnixNano\":\"1764237601000000000\",\"attributes\":[{\"key\":\"gen_ai.operation.name\","
                + "\"value\":{\"stringValue\":\"chat\"}}]}]}]}]}";
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(json)
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/json"));
        SpanRecord span = EventJson.decode(
                TopicReader.awaitKey(Topics.SPANS, traceId, KAFKA).value(), SpanRecord.class);
        assertThat(span.spanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(span.latencyMs()).isEqualTo(1000L);
    }

    @Test
    void noKeyIsUnauthorizedAndAKeyWithoutTheIngestScopeIsForbidden() {
        for (String path : List.of("/v1/spans", "/v1/decisions")) {
            given().contentType(ContentType.JSON)
                    .body(Map.of())
                    .post(path)
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer")
                    .body("field", equalTo("Authorization"));
            // the public key is for feedback from browsers, never for ingest
            given().auth()
                    .oauth2(project.publicKey())
                    .contentType(ContentType.JSON)
                    .body(Map.of())
                    .post(path)
                    .then()
                    .statusCode(403)
                    .contentType("application/problem+json")
                    .body("field", equalTo("Authorization"));
        }
        given().contentType(PROTOBUF)
                .body(request().toByteArray())
                .post("/v1/traces")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
        given().auth()
                .oauth2("lk_0123456789abcdef_" + "ab".repeat(24))
                .contentType(PROTOBUF)
                .body(request().toByteArray())
                .post("/v1/traces")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void badInputIsAProblemNamingTheFieldAndBadItemsAreRejectedByPath() {
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body("{\"spans\": [ {\"traceId\": ")
                .post("/v1/spans")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("field", equalTo("body"));
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of("decisions", "nope"))
                .post("/v1/decisions")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("decisions"));
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(TestSpans.llm(), TestSpans.llm().with("traceId", "not-hex")))
                .post("/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1))
                .body("rejected.field", equalTo(List.of("spans[1].traceId")));
        // OTLP answers its own way: a google.rpc.Status in the request's content type
        byte[] good = request(span(TestSpans.randomHex(32), TestSpans.randomHex(16), 1))
                .toByteArray();
        given().auth()
                .oauth2(project.secretKey())
                .contentType(PROTOBUF)
                .body(Arrays.copyOf(good, good.length - 7))
                .post("/v1/traces")
                .then()
                .statusCode(400)
                .contentType(PROTOBUF);
    }

    @Test
    void healthMetricsAndOpenApiAnswer() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("loupe_collector_spans_accepted_total"));
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/v1/traces"));
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
