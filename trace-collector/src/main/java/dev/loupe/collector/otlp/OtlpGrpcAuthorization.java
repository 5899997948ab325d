package dev.loupe.collector.otlp;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hands the {@code authorization} metadata of an OTLP/gRPC call to {@link OtlpGrpcService}, which checks it the way
 * the HTTP path checks its {@code Authorization} header. Metadata is only visible to interceptors in grpc-java.
 */
@ApplicationScoped
public class OtlpGrpcAuthorization implements ServerInterceptor {
    static final Metadata.Key<String> HEADER = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<String> VALUE = Context.key("loupe.authorization");

    @Override
    public <Q, S> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, S> call, Metadata headers, ServerCallHandler<Q, S> next) {
        return Contexts.interceptCall(Context.current().withValue(VALUE, headers.get(HEADER)), call, headers, next);
    }
}
