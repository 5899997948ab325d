package dev.loupe.collector.otlp;

/** An OTLP request that fails as a whole; answered with a {@code google.rpc.Status} body and this HTTP status. */
class OtlpException extends RuntimeException {
    private final int httpStatus;
    private final Integer retryAfterSeconds;

    OtlpException(int httpStatus, String message, Integer retryAfterSeconds) {
        super(message);
        this.httpStatus = httpStatus;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static OtlpException badRequest(String message) {
        return new OtlpException(400, message, null);
    }

    int httpStatus() {
        return httpStatus;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The gRPC code that matches the HTTP status (google.rpc.Code). */
    int grpcCode() {
        return switch (httpStatus) {
            case 400 -> 3; // INVALID_ARGUMENT
            case 401 -> 16; // UNAUTHENTICATED
            case 403 -> 7; // PERMISSION_DENIED
            case 413 -> 8; // RESOURCE_EXHAUSTED
            case 415 -> 3;
            case 429 -> 8;
            case 503 -> 14; // UNAVAILABLE
            default -> 13; // INTERNAL
        };
    }
}
