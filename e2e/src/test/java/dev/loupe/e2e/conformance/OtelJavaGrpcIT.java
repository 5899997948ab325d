package dev.loupe.e2e.conformance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.e2e.LoupeStack;
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
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conformance: the OpenTelemetry Java SDK, configured as an app would (OTLP/gRPC exporter, its default OkHttp sender
 * on a plaintext endpoint, gzip, the project's key as {@code authorization: Bearer} metadata), exports GenAI
 * semantic-convention spans to the shared stack's collector; what the aggregator stored comes back from {@code GET
 * /v1/traces/{id}}.
 *
 * <p>Asserted: on the LLM span the response and the request model, input/output, cache-read and cache-write tokens,
 * the cost at Claude Sonnet 4.5's list prices (cache writes at the cache-write price), status TRUNCATED (finish reason
 * {@code length}), prompt and completion, and the feature, session and hashed user it inherits from the app's root
 * span; on the root span its own feature, session and hashed user.
 */
@ExtendWith(LoupeStack.Extension.class)
class OtelJavaGrpcIT {
    private final LoupeStack stack;

    OtelJavaGrpcIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    @SuppressWarnings("try") // the Scope resource only makes the root current
    void genAiSpansOverGrpcWithABearerKeyAreStoredComplete() {
        OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
                .setEndpoint(stack.collectorGrpcUrl())
                .addHeader("authorization", "Bearer " + stack.projectA().secretKey())
                .setCompression("gzip")
                .build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "otel-java-app")))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        Tracer tracer = provider.get("conformance-otel-java");
        Span root = tracer.spanBuilder("POST /answer").startSpan();
        Span llm;
        try (Scope ignored = root.makeCurrent()) {
            root.setAttribute("loupe.feature", "otel-java-grpc");
            root.setAttribute("user.id", "user-77");
            root.setAttribute("session.id", "session-otel-1");
            llm = tracer.spanBuilder("chat claude-sonnet-4-5").startSpan();
            llm.setAttribute("gen_ai.operation.name", "chat");
            llm.setAttribute("gen_ai.provider.name", "anthropic");
            llm.setAttribute("gen_ai.request.model", "claude-sonnet-4-5");
            llm.setAttribute("gen_ai.response.model", "claude-sonnet-4-5-20250929");
            llm.setAttribute("gen_ai.usage.input_tokens", 900L);
            llm.setAttribute("gen_ai.usage.output_tokens", 64L);
            llm.setAttribute("gen_ai.usage.cache_read.input_tokens", 300L);
            llm.setAttribute("gen_ai.usage.cache_creation.input_tokens", 200L);
            llm.setAttribute(
                    "gen_ai.input.messages",
                    "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Summarise the refund policy\"}]}]");
            llm.setAttribute(
                    "gen_ai.output.messages",
                    "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Refunds within 30\"}],"
                            + "\"finish_reason\":\"length\"}]");
            llm.setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("length"));
            llm.end();
        } finally {
            root.end();
        }
        CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
        assertThat(flushed.isSuccess())
                .as("the SDK's OTLP/gRPC export succeeded")
                .isTrue();
        provider.close();

        String traceId = root.getSpanContext().getTraceId();
        JsonPath trace = awaitSpans(traceId, 2);
        Map<String, Object> stored = span(trace, llm.getSpanContext().getSpanId());
        assertThat(stored.get("model")).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(stored.get("requestModel")).isEqualTo("claude-sonnet-4-5");
        assertThat(((Number) stored.get("inputTokens")).longValue()).isEqualTo(900L);
        assertThat(((Number) stored.get("outputTokens")).longValue()).isEqualTo(64L);
        assertThat(((Number) stored.get("cachedInputTokens")).longValue()).isEqualTo(300L);
        assertThat(((Number) stored.get("cacheWriteInputTokens")).longValue()).isEqualTo(200L);
        // Sonnet 4.5 per million: $3 input, $0.30 cache read, $3.75 cache write, $15 output
        // 400 uncached × 3 + 300 × 0.30 + 200 × 3.75 + 64 × 15 = 1,200 + 90 + 750 + 960 = $0.003
        assertThat(new java.math.BigDecimal(String.valueOf(stored.get("costUsd"))))
                .isEqualByComparingTo("0.003");
        assertThat(stored.get("status")).isEqualTo("TRUNCATED");
        assertThat((String) stored.get("prompt")).contains("Summarise the refund policy");
        assertThat((String) stored.get("completion")).contains("Refunds within 30");

        Map<String, Object> storedRoot = span(trace, root.getSpanContext().getSpanId());
        assertThat(storedRoot.get("feature")).isEqualTo("otel-java-grpc");
        assertThat(storedRoot.get("sessionId")).isEqualTo("session-otel-1");
        // user ids are stored as keyed hashes, never as sent
        assertThat((String) storedRoot.get("userId")).hasSize(64).isNotEqualTo("user-77");
        // the LLM span carries none of its own: it inherits the app's feature, session and user
        assertThat(stored.get("feature")).isEqualTo("otel-java-grpc");
        assertThat(stored.get("sessionId")).isEqualTo("session-otel-1");
        assertThat(stored.get("userId")).isEqualTo(storedRoot.get("userId"));
    }

    private static Map<String, Object> span(JsonPath trace, String spanId) {
        List<Map<String, Object>> spans = trace.getList("spans");
        return spans.stream()
                .filter(s -> spanId.equals(s.get("spanId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("span " + spanId + " not stored: " + spans));
    }

    private JsonPath awaitSpans(String traceId, int count) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> {
                            Response response = given().auth()
                                    .oauth2(stack.projectA().secretKey())
                                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + traceId);
                            return response.statusCode() == 200 ? response.jsonPath() : null;
                        },
                        path -> path != null && path.getList("spans").size() >= count);
    }
}
