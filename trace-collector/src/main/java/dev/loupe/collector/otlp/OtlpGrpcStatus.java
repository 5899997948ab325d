package dev.loupe.collector.otlp;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.sql.DatabaseOutage;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import org.jboss.logging.Logger;

/**
 * The gRPC status an OTLP/gRPC call fails with, following the OTLP specification: a client's mistake is final
 * ({@code INVALID_ARGUMENT} naming the field, {@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}); overload is
 * retryable ({@code RESOURCE_EXHAUSTED} for the per-key rate, {@code UNAVAILABLE} for the in-flight bound, Kafka,
 * memory and the key database) and carries a {@code google.rpc.RetryInfo} with the delay, in {@code
 * grpc-status-details-bin}.
 */
final class OtlpGrpcStatus {
    private static final Logger LOG = Logger.getLogger(OtlpGrpcStatus.class);

    private OtlpGrpcStatus() {}

    static StatusRuntimeException of(Throwable failure) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        if (failure instanceof AuthenticationFailedException) {
            return status(Code.UNAUTHENTICATED, "authorization: unknown or revoked API key", null);
        }
        if (failure instanceof ForbiddenException e) {
            return status(Code.PERMISSION_DENIED, e.getMessage(), null);
        }
        if (failure instanceof OtlpException e) {
            // 413 is "too many spans" (the message size is enforced by the gRPC server itself): not retryable, so
            // INVALID_ARGUMENT rather than RESOURCE_EXHAUSTED, which exporters retry
            String message = e.httpStatus() == 413 ? "resource_spans: " + e.getMessage() : e.getMessage();
            return status(e.httpStatus() == 503 ? Code.UNAVAILABLE : Code.INVALID_ARGUMENT, message, null);
        }
        if (failure instanceof ProblemException e) {
            return switch (e.status()) {
                case 429 -> status(Code.RESOURCE_EXHAUSTED, e.getMessage(), e.retryAfterSeconds());
                case 503 -> status(Code.UNAVAILABLE, e.getMessage(), e.retryAfterSeconds());
                case 401 -> status(Code.UNAUTHENTICATED, e.getMessage(), null);
                case 403 -> status(Code.PERMISSION_DENIED, e.getMessage(), null);
                default -> status(Code.INVALID_ARGUMENT, e.getMessage(), null);
            };
        }
        if (DatabaseOutage.isOutage(failure)) {
            return status(
                    Code.UNAVAILABLE,
                    "API keys cannot be checked while their database is unreachable; retry later",
                    DatabaseOutage.RETRY_AFTER_SECONDS);
        }
        LOG.errorf(failure, "OTLP/gRPC export failed");
        return status(Code.INTERNAL, "internal error", null);
    }

    static StatusRuntimeException status(Code code, String message, Integer retryAfterSeconds) {
        com.google.rpc.Status.Builder status =
                com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message);
        if (retryAfterSeconds != null) {
            status.addDetails(Any.pack(RetryInfo.newBuilder()
                    .setRetryDelay(Duration.newBuilder().setSeconds(retryAfterSeconds))
                    .build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }
}
