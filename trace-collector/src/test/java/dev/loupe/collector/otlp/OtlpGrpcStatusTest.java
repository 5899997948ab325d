package dev.loupe.collector.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.loupe.contracts.events.Topics;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TopicReader;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.value.registry.ValueRegistry;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HexFormat;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A plain grpc-java client against the collector's OTLP/gRPC port: each failure gets its OTLP status, never INTERNAL. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OtlpGrpcStatusTest {
    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String ingestKey;

    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String feedbackKey;

    @ConfigProperty(name = "loupe.collector.max-batch-items", defaultValue = "1000")
    int maxSpans;

    @Inject
    ValueRegistry values;

    ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = GrpcClients.channel(values.get(GrpcServer.GRPC_PORT));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcClients.close(channel);
    }

    @Test
    void withoutAKeyOrWithAnUnknownOneTheCallIsUnauthenticated() {
        ExportTraceServiceRequest request = GrpcClients.request(1, "hi");
        for (String authorization : new String[] {null, "Basic dXNlcjpwdw==", "Bearer lp_sk_nothing_here"}) {
            StatusRuntimeException e = catchThrowableOfType(
                    StatusRuntimeException.class,
                    () -> GrpcClients.stub(channel, authorization).export(request));
            assertThat(e.getStatus().getCode()).as(authorization).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).startsWith("authorization");
        }
    }

    @Test
    void aKeyWithoutTheIngestScopeIsDenied() {
        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> GrpcClients.stub(channel, "Bearer " + feedbackKey).export(GrpcClients.request(1, "hi")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(e.getStatus().getDescription()).contains("ingest scope");
    }

    @Test
    void moreSpansThanTheBatchLimitIsAFinalInvalidArgumentNamingTheField() {
        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> GrpcClients.stub(channel, "Bearer " + ingestKey).export(GrpcClients.request(maxSpans + 1, "x")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).startsWith("resource_spans").contains(String.valueOf(maxSpans));
        assertThat(GrpcClients.retryInfo(e)).isEmpty();
    }

    @Test
    void aMessageOverTheBodyLimitIsRefusedByTheServer() {
        String large = "x".repeat(6 << 20); // over the 5 MiB limit (loupe.collector.max-body-bytes)
        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> GrpcClients.stub(channel, "Bearer " + ingestKey).export(GrpcClients.request(1, large)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void anInvalidSpanIsAPartialSuccessAndTheValidOneIsPublished() {
        ExportTraceServiceRequest valid = GrpcClients.request(1, "hello");
        ScopeSpans scope = valid.getResourceSpans(0).getScopeSpans(0).toBuilder()
                .addSpans(valid.getResourceSpans(0).getScopeSpans(0).getSpans(0).toBuilder()
                        .setName("broken")
                        .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3})))
                .build();
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
                .build();

        ExportTraceServiceResponse response =
                GrpcClients.stub(channel, "Bearer " + ingestKey).export(request);

        assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(response.getPartialSuccess().getErrorMessage()).contains("span 'broken'");
        String traceId = HexFormat.of().formatHex(scope.getSpans(0).getTraceId().toByteArray());
        assertThat(TopicReader.awaitKey(Topics.SPANS, traceId, Duration.ofSeconds(10))
                        .value())
                .contains("\"spanId\":\"0000000000000001\"");
    }
}
