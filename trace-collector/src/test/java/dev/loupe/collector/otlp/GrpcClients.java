package dev.loupe.collector.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A plain grpc-java client of the collector's TraceService, and the requests the gRPC tests send. */
final class GrpcClients {
    private GrpcClients() {}

    static ManagedChannel channel(int port) {
        return ManagedChannelBuilder.forAddress("localhost", port)
                .usePlaintext()
                .maxInboundMessageSize(1 << 20)
                .build();
    }

    static TraceServiceGrpc.TraceServiceBlockingStub stub(ManagedChannel channel, String authorization) {
        Metadata headers = new Metadata();
        if (authorization != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        }
        return TraceServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** One request with {@code count} valid LLM spans of a new trace, each carrying {@code padding} of text. */
    static ExportTraceServiceRequest request(int count, String padding) {
        byte[] trace = new byte[16];
        ThreadLocalRandom.current().nextBytes(trace);
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < count; i++) {
            scope.addSpans(span(trace, i, padding));
        }
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
                .build();
    }

    static Span span(byte[] trace, int index, String padding) {
        long start = System.currentTimeMillis() * 1_000_000L;
        return Span.newBuilder()
                .setTraceId(ByteString.copyFrom(trace))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(String.format("%016x", index + 1L))))
                .setName("chat gpt-4o-mini")
                .setStartTimeUnixNano(start)
                .setEndTimeUnixNano(start + 1_000_000L)
                .addAttributes(attribute("gen_ai.operation.name", "chat"))
                .addAttributes(attribute("gen_ai.request.model", "gpt-4o-mini"))
                .addAttributes(attribute("gen_ai.prompt", padding))
                .build();
    }

    static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    /** The RetryInfo in a failure's {@code grpc-status-details-bin}, when there is one. */
    static Optional<RetryInfo> retryInfo(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return Optional.empty();
        }
        return status.getDetailsList().stream()
                .filter(any -> any.is(RetryInfo.class))
                .findFirst()
                .map(any -> {
                    try {
                        return any.unpack(RetryInfo.class);
                    } catch (InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                });
    }
}
