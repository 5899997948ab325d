package dev.loupe.collector.otlp;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TopicReader;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.value.registry.ValueRegistry;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The OpenTelemetry Java SDK's OTLP/gRPC exporter (its default OkHttp sender: HTTP/2 with prior knowledge on a
 * plaintext {@code http://} endpoint, gzip, the bearer key as {@code authorization} metadata) sends GenAI spans to the
 * collector's gRPC port; the records on Kafka are those OTLP/HTTP would publish.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OtlpGrpcSdkTest {
    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String key;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Inject
    ValueRegistry values;

    @Test
    @SuppressWarnings("try") // the Scope resources only make their span current
    void genAiSpansOverGrpcWithGzipAndABearerKeyReachKafka() {
        OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
                .setEndpoint("http://localhost:" + values.get(GrpcServer.GRPC_PORT))
                .addHeader("authorization", "Bearer " + key)
                .setCompression("gzip")
                .build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "grpc-app")))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        Tracer tracer = provider.get("grpc-test");
        Span root = tracer.spanBuilder("POST /chat").startSpan();
        Span llm;
        try (Scope ignored = root.makeCurrent()) {
            root.setAttribute("loupe.feature", "grpc-chat");
            root.setAttribute("session.id", "sess-4");
            llm = tracer.spanBuilder("chat claude-sonnet-4").startSpan();
            llm.setAttribute("gen_ai.operation.name", "chat");
            llm.setAttribute("gen_ai.provider.name", "openai");
            llm.setAttribute("gen_ai.request.model", "gpt-4o");
            llm.setAttribute("gen_ai.response.model", "gpt-4o-2024-08-06");
            llm.setAttribute("gen_ai.usage.input_tokens", 1200L);
            llm.setAttribute("gen_ai.usage.output_tokens", 300L);
            llm.setAttribute("gen_ai.usage.cache_read.input_tokens", 200L);
            llm.setAttribute(
                    "gen_ai.input.messages",
                    "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Mail ann@example.com\"}]}]");
            llm.setAttribute(
                    "gen_ai.output.messages",
                    "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Sent\"}],\"finish_reason\":\"length\"}]");
            llm.setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("length"));
            llm.end();
        } finally {
            root.end();
        }
        CompletableResultCode flushed = provider.forceFlush().join(10, TimeUnit.SECONDS);
        assertThat(flushed.isSuccess()).as("the SDK's gRPC export succeeded").isTrue();
        provider.close();

        String traceId = root.getSpanContext().getTraceId();
        SpanRecord record = span(traceId, llm.getSpanContext().getSpanId());
        assertThat(record.projectId()).isEqualTo(projectId);
        assertThat(record.kind()).isEqualTo(SpanKind.LLM);
        assertThat(record.model()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(record.parentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
        assertThat(record.inputTokens()).isEqualTo(1200L);
        assertThat(record.outputTokens()).isEqualTo(300L);
        assertThat(record.cachedInputTokens()).isEqualTo(200L);
        // 1000 * 2.5e-6 + 200 * 1.25e-6 + 300 * 1e-5, as over OTLP/HTTP
        assertThat(record.costUsd()).isEqualByComparingTo("0.00575");
        assertThat(record.status()).isEqualTo(Outcome.TRUNCATED);
        assertThat(record.prompt()).contains("[EMAIL]").doesNotContain("ann@example.com");
        assertThat(record.completion()).contains("Sent");
        assertThat(record.attributes()).containsEntry("resource.service.name", "grpc-app");

        DecisionRecord decision = EventJson.decode(
                TopicReader.awaitKey(Topics.DECISIONS, traceId, Duration.ofSeconds(10))
                        .value(),
                DecisionRecord.class);
        assertThat(decision.feature()).isEqualTo("grpc-chat");

        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .containsPattern("loupe_collector_otlp_spans_accepted_total\\{[^}]*transport=\"grpc\"[^}]*} [1-9]")
                .containsPattern("grpc_server_requests_received_messages_total\\{[^}]*method=\"Export\"");
    }

    private static SpanRecord span(String traceId, String spanId) {
        ConsumerRecord<String, String> record = TopicReader.await(
                        Topics.SPANS,
                        r -> traceId.equals(r.key()) && r.value().contains("\"spanId\":\"" + spanId + "\""),
                        1,
                        Duration.ofSeconds(10))
                .get(0);
        return EventJson.decode(record.value(), SpanRecord.class);
    }
}
