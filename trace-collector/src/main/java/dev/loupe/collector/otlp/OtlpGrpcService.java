package dev.loupe.collector.otlp;

import com.google.rpc.Code;
import dev.loupe.collector.ingest.IngestMemoryGuard;
import dev.loupe.collector.ingest.KeyRateLimiter;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * OTLP/gRPC trace receiver ({@code opentelemetry.proto.collector.trace.v1.TraceService/Export}) on the gRPC server's
 * own port ({@code quarkus.grpc.server.port}, 4317). It behaves as OTLP/HTTP does: the same API keys ({@code
 * authorization: Bearer <key>} metadata, ingest scope), per-key rate limit, memory admission, mapping, {@code
 * partial_success} and Kafka acknowledgement before the answer ({@link OtlpExport}); failures are mapped by
 * {@link OtlpGrpcStatus}.
 */
@GrpcService
@RegisterInterceptor(OtlpGrpcAuthorization.class)
public class OtlpGrpcService extends TraceServiceGrpc.TraceServiceImplBase {
    private static final String BEARER = "Bearer ";

    private final OtlpExport export;
    private final IdentityProviderManager identities;
    private final KeyRateLimiter rateLimiter;
    private final IngestMemoryGuard memory;

    public OtlpGrpcService(
            OtlpExport export,
            IdentityProviderManager identities,
            KeyRateLimiter rateLimiter,
            IngestMemoryGuard memory) {
        this.export = export;
        this.identities = identities;
        this.rateLimiter = rateLimiter;
        this.memory = memory;
    }

    @Override
    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> responses) {
        String authorization = OtlpGrpcAuthorization.VALUE.get();
        authenticate(authorization)
                // mapping, redaction and pricing off the event loop: an exporter sends all its calls over one
                // HTTP/2 connection, which Vert.x serves on one event-loop thread; the worker pool uses every core
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .chain(identity -> ingest(request, identity))
                .subscribe()
                .with(
                        response -> {
                            responses.onNext(response);
                            responses.onCompleted();
                        },
                        failure -> responses.onError(OtlpGrpcStatus.of(failure)));
    }

    private Uni<ExportTraceServiceResponse> ingest(ExportTraceServiceRequest request, SecurityIdentity identity) {
        if (!identity.hasRole(Scope.INGEST_ROLE)) {
            throw OtlpGrpcStatus.status(
                    Code.PERMISSION_DENIED, "authorization: this API key lacks the ingest scope", null);
        }
        String projectId = identity.getAttribute(Caller.PROJECT_ATTRIBUTE);
        if (projectId == null) {
            throw OtlpGrpcStatus.status(
                    Code.PERMISSION_DENIED, "authorization: this credential belongs to no project", null);
        }
        rateLimiter.acquire(identity.getPrincipal().getName());
        IngestMemoryGuard.Reservation reservation = memory.reserve(request.getSerializedSize());
        try {
            return export.export(request, projectId, OtlpExport.Transport.GRPC)
                    .onTermination()
                    .invoke(reservation::release);
        } catch (RuntimeException e) {
            reservation.release();
            throw e;
        }
    }

    private Uni<SecurityIdentity> authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Uni.createFrom()
                    .failure(OtlpGrpcStatus.status(
                            Code.UNAUTHENTICATED,
                            "authorization: metadata 'authorization: Bearer <key>' is missing",
                            null));
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || authorization.length() == BEARER.length()) {
            return Uni.createFrom()
                    .failure(
                            OtlpGrpcStatus.status(Code.UNAUTHENTICATED, "authorization: must be 'Bearer <key>'", null));
        }
        String token = authorization.substring(BEARER.length()).trim();
        return identities
                .authenticate(new TokenAuthenticationRequest(new TokenCredential(token, "bearer")))
                .onFailure(AuthenticationFailedException.class)
                .transform(e ->
                        OtlpGrpcStatus.status(Code.UNAUTHENTICATED, "authorization: unknown or revoked API key", null));
    }
}
