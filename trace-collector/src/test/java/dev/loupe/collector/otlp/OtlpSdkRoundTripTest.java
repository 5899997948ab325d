package dev.loupe.collector.otlp;

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
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The OpenTelemetry Java SDK sends GenAI spans to the running collector; the records on Kafka are checked field by field. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OtlpSdkRoundTripTest {
    @TestHTTPResource("/v1/traces")
    URL endpoint;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String key;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Test
    void currentGenAiConventionsOverProtobufWithGzip() {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint.toString())
                .addHeader("Authorization", "Bearer " + key)
                .setCompression("gzip")
                .build();
        String[] ids = emitCurrentConventions(exporter);

        SpanRecord llm = span(ids[0], ids[2]);
        assertThat(llm.projectId()).isEqualTo(projectId);
        assertThat(llm.kind()).isEqualTo(SpanKind.LLM);
        assertThat(llm.name()).isEqualTo("chat gpt-4o");
        assertThat(llm.provider()).isEqualTo("openai");
        assertThat(llm.model()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(llm.parentSpanId()).isEqualTo(ids[1]);
        assertThat(llm.inputTokens()).isEqualTo(1200L);
        assertThat(llm.outputTokens()).isEqualTo(300L);
        assertThat(llm.cachedInputTokens()).isEqualTo(200L);
        assertThat(llm.reasoningTokens()).isEqualTo(50L);
        // 1000 * 2.5e-6 + 200 * 1.25e-6 + 300 * 1e-5
        assertThat(llm.costUsd()).isEqualByComparingTo("0.00575");
        assertThat(llm.prompt())
                .contains("\"role\":\"system\"")
                .contains("Be brief.")
                .contains("[EMAIL]")
                .doesNotContain("ann@example.com");
        assertThat(llm.completion()).contains("30 days");
        assertThat(llm.status()).isEqualTo(Outcome.TRUNCATED);
        assertThat(llm.sessionId()).isEqualTo("conv-9");
        assertThat(llm.feature()).isEqualTo("support-rag");
        assertThat(llm.redactions()).containsEntry("email", 1);
        assertThat(llm.metadata()).containsEntry("tier", "pro").containsEntry("finishReasons", "length");
        assertThat(((Number) llm.attributes().get("gen_ai.request.temperature")).doubleValue())
                .isEqualTo(0.2);
        assertThat(llm.attributes())
                .containsEntry("resource.service.name", "shop-assistant")
                .doesNotContainKeys("gen_ai.usage.input_tokens", "gen_ai.input.messages", "loupe.feature");
        assertThat(llm.latencyMs()).isNotNull();

        SpanRecord tool = span(ids[0], ids[3]);
        assertThat(tool.kind()).isEqualTo(SpanKind.TOOL);
        assertThat(tool.toolName()).isEqualTo("lookup_order");
        assertThat(tool.status()).isEqualTo(Outcome.ERROR);
        assertThat(tool.errorType()).isEqualTo("timeout");
        assertThat(tool.errorMessage()).isEqualTo("order service timed out");

        SpanRecord root = span(ids[0], ids[1]);
        assertThat(root.userId()).hasSize(64).isNotEqualTo("user-17");
        assertThat(llm.userId()).isEqualTo(root.userId()); // set on the app's span only, inherited below it
        assertThat(tool.userId()).isEqualTo(root.userId());
        DecisionRecord decision = EventJson.decode(
                TopicReader.awaitKey(Topics.DECISIONS, "dec-" + ids[0], Duration.ofSeconds(10))
                        .value(),
                DecisionRecord.class);
        assertThat(decision.traceId()).isEqualTo(ids[0]);
        assertThat(decision.feature()).isEqualTo("support-rag");
        assertThat(decision.promptTemplate()).isEqualTo("support-answer");
        assertThat(decision.promptVersion()).isEqualTo("v7");
        assertThat(decision.retrievalResults()).extracting(r -> r.docId()).containsExactly("kb-12", "kb-40");
        assertThat(decision.retrievalResults().get(0).textHash()).hasSize(64);
    }

    @Test
    void deprecatedGenAiNamesOverJsonAsTheSdkEncodesIt() throws Exception {
        List<SpanData> captured = new ArrayList<>();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(new Capturing(captured)))
                .build();
        Tracer tracer = provider.get("legacy-instrumentation");
        Span span = tracer.spanBuilder("openai.chat").startSpan();
        span.setAttribute("gen_ai.system", "openai");
        span.setAttribute("gen_ai.request.model", "gpt-4o-mini");
        span.setAttribute("gen_ai.usage.prompt_tokens", 40L);
        span.setAttribute("gen_ai.usage.completion_tokens", 8L);
        span.setAttribute("gen_ai.prompt.0.role", "user");
        span.setAttribute("gen_ai.prompt.0.content", "Call me on +44 20 7946 0958");
        span.setAttribute("gen_ai.completion.0.role", "assistant");
        span.setAttribute("gen_ai.completion.0.content", "Sure — ünïcødé ✓");
        span.end();
        provider.forceFlush().join(5, TimeUnit.SECONDS);
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        TraceRequestMarshaler.create(captured).writeJsonTo(json);

        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(endpoint.toURI())
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(json.toByteArray()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));

        String traceId = span.getSpanContext().getTraceId();
        SpanRecord record = span(traceId, span.getSpanContext().getSpanId());
        assertThat(record.kind()).isEqualTo(SpanKind.LLM);
        assertThat(record.provider()).isEqualTo("openai");
        assertThat(record.model()).isEqualTo("gpt-4o-mini");
        assertThat(record.inputTokens()).isEqualTo(40L);
        assertThat(record.outputTokens()).isEqualTo(8L);
        assertThat(record.prompt()).isEqualTo("[{\"role\":\"user\",\"content\":\"Call me on [PHONE]\"}]");
        assertThat(record.completion()).contains("ünïcødé ✓");
        assertThat(record.attributes()).doesNotContainKeys("gen_ai.prompt.0.content", "gen_ai.system");
        provider.close();
    }

    @Test
    @SuppressWarnings("try") // the Scope resource only makes the root current; the body never names it
    void openInferenceEmbeddingsAndPerMessageEventsFromTheSdk() {
        double before = droppedVectors();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                                .setEndpoint(endpoint.toString())
                                .addHeader("Authorization", "Bearer " + key)
                                .build())
                        .build())
                .build();
        Tracer tracer = provider.get("@arizeai/openinference-instrumentation-openai");
        Span root = tracer.spanBuilder("answer").startSpan();
        Span embedding;
        Span llm;
        try (Scope ignored = root.makeCurrent()) {
            root.setAttribute("enduser.id", "user-23");
            root.setAttribute("session.id", "sess-5");
            embedding = tracer.spanBuilder("OpenAI Embeddings").startSpan();
            embedding.setAttribute("openinference.span.kind", "EMBEDDING");
            embedding.setAttribute("embedding.model_name", "text-embedding-3-small");
            embedding.setAttribute("input.value", "refund policy");
            embedding.setAttribute("embedding.embeddings.0.embedding.text", "refund policy");
            List<Double> vector = new ArrayList<>();
            for (int i = 0; i < 1536; i++) {
                vector.add(i / 1536.0);
            }
            embedding.setAttribute(AttributeKey.doubleArrayKey("embedding.embeddings.0.embedding.vector"), vector);
            embedding.end();
            llm = tracer.spanBuilder("chat gpt-4o").startSpan();
            llm.setAttribute("gen_ai.system", "openai");
            llm.setAttribute("gen_ai.request.model", "gpt-4o");
            llm.addEvent(
                    "gen_ai.user.message",
                    Attributes.of(AttributeKey.stringKey("content"), "Refunds, write to bo@example.org?"));
            llm.addEvent(
                    "gen_ai.choice",
                    Attributes.of(
                            AttributeKey.longKey("index"), 0L, AttributeKey.stringKey("finish_reason"), "length"));
            llm.end();
        } finally {
            root.end();
        }
        assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        provider.close();

        String traceId = root.getSpanContext().getTraceId();
        SpanRecord embedded = span(traceId, embedding.getSpanContext().getSpanId());
        assertThat(embedded.kind()).isEqualTo(SpanKind.EMBEDDING);
        assertThat(embedded.model()).isEqualTo("text-embedding-3-small");
        assertThat(embedded.prompt()).isEqualTo("[\"refund policy\"]");
        assertThat(embedded.metadata()).containsEntry("embeddingVectorsDropped", "1");
        assertThat(embedded.attributes()).doesNotContainKey("embedding.embeddings.0.embedding.vector");
        assertThat(embedded.sessionId()).isEqualTo("sess-5");
        SpanRecord chat = span(traceId, llm.getSpanContext().getSpanId());
        assertThat(chat.prompt()).isEqualTo("[{\"role\":\"user\",\"content\":\"Refunds, write to [EMAIL]?\"}]");
        assertThat(chat.status()).isEqualTo(Outcome.TRUNCATED);
        assertThat(chat.userId())
                .isEqualTo(span(traceId, root.getSpanContext().getSpanId()).userId())
                .isNotNull();
        assertThat(droppedVectors()).isEqualTo(before + 1);
    }

    private static double droppedVectors() {
        String metrics = io.restassured.RestAssured.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return metrics.lines()
                .filter(l -> l.startsWith("loupe_collector_embedding_vectors_dropped_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** Builds root (feature, decision, template) → retrieval → llm (GenAI current names) → tool (error). */
    @SuppressWarnings("try") // the Scope resources only make their span current; the body never names them
    private String[] emitCurrentConventions(SpanExporter exporter) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "shop-assistant")))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build(); // one request per trace here
        Tracer tracer = provider.get("genai-test");
        Span root = tracer.spanBuilder("POST /ask").startSpan();
        String llmId;
        String toolId;
        try (Scope ignored = root.makeCurrent()) {
            root.setAttribute("loupe.feature", "support-rag");
            root.setAttribute("loupe.prompt.template", "support-answer");
            root.setAttribute("loupe.prompt.version", "v7");
            root.setAttribute("user.id", "user-17");
            root.setAttribute(
                    "loupe.decision.id", "dec-" + root.getSpanContext().getTraceId());
            Span retrieval = tracer.spanBuilder("retrieval kb").startSpan();
            retrieval.setAttribute("gen_ai.operation.name", "retrieval");
            retrieval.setAttribute(
                    "gen_ai.retrieval.documents",
                    "[{\"id\":\"kb-12\",\"score\":0.82,\"content\":\"Refunds within 30 days\"},{\"id\":\"kb-40\",\"score\":0.4}]");
            retrieval.end();
            Span llm = tracer.spanBuilder("chat gpt-4o").startSpan();
            llm.setAttribute("gen_ai.operation.name", "chat");
            llm.setAttribute("gen_ai.provider.name", "openai");
            llm.setAttribute("gen_ai.request.model", "gpt-4o");
            llm.setAttribute("gen_ai.response.model", "gpt-4o-2024-08-06");
            llm.setAttribute("gen_ai.request.temperature", 0.2);
            llm.setAttribute("gen_ai.usage.input_tokens", 1200L);
            llm.setAttribute("gen_ai.usage.output_tokens", 300L);
            llm.setAttribute("gen_ai.usage.cache_read.input_tokens", 200L);
            llm.setAttribute("gen_ai.usage.reasoning.output_tokens", 50L);
            llm.setAttribute("gen_ai.conversation.id", "conv-9");
            llm.setAttribute("loupe.feature", "support-rag");
            llm.setAttribute("loupe.metadata.tier", "pro");
            llm.setAttribute("gen_ai.system_instructions", "[{\"type\":\"text\",\"content\":\"Be brief.\"}]");
            llm.setAttribute(
                    "gen_ai.input.messages",
                    "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"I am ann@example.com. Refunds?\"}]}]");
            llm.setAttribute(
                    "gen_ai.output.messages",
                    "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Within 30 days\"}],\"finish_reason\":\"length\"}]");
            llm.setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("length"));
            llmId = llm.getSpanContext().getSpanId();
            llm.end();
            Span tool = tracer.spanBuilder("execute_tool lookup_order").startSpan();
            tool.setAttribute("gen_ai.operation.name", "execute_tool");
            tool.setAttribute("gen_ai.tool.name", "lookup_order");
            tool.setAttribute("error.type", "timeout");
            tool.setStatus(StatusCode.ERROR, "order service timed out");
            toolId = tool.getSpanContext().getSpanId();
            tool.end();
        } finally {
            root.end();
        }
        CompletableResultCode flushed = provider.forceFlush().join(10, TimeUnit.SECONDS);
        assertThat(flushed.isSuccess()).as("the SDK's export succeeded").isTrue();
        provider.close();
        return new String[] {
            root.getSpanContext().getTraceId(), root.getSpanContext().getSpanId(), llmId, toolId
        };
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

    /** Keeps what the SDK would export, so the test can encode it exactly as the SDK's JSON mode does. */
    private record Capturing(List<SpanData> into) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            into.addAll(spans);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
