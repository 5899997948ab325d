package dev.loupe.collector.otlp;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.collector.ingest.KeyRateLimiter;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * OTLP/HTTP trace receiver ({@code POST /v1/traces}): protobuf or JSON, optionally gzip. Valid spans are
 * mapped, redacted, priced and published; invalid ones are counted in {@code partial_success}. A root span
 * that carries a feature also yields a decision. Failures answer a {@code google.rpc.Status} body: 400 is
 * final, 429 and 503 carry Retry-After.
 */
@Path("/v1/traces")
public class OtlpTraceResource {
    private final OtlpExport export;
    private final KeyRateLimiter rateLimiter;
    private final CollectorConfig config;
    private final Caller caller;

    public OtlpTraceResource(OtlpExport export, KeyRateLimiter rateLimiter, CollectorConfig config, Caller caller) {
        this.export = export;
        this.rateLimiter = rateLimiter;
        this.config = config;
        this.caller = caller;
    }

    @POST
    @RolesAllowed(Scope.INGEST_ROLE)
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> export(
            byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding) {
        boolean json = isJson(contentType);
        rateLimiter.acquire(caller.keyId());
        String projectId = caller.projectId();
        ExportTraceServiceRequest request =
                OtlpCodec.parse(OtlpCodec.decompress(body, contentEncoding, config.maxBodyBytes()), json);
        return export.export(request, projectId, OtlpExport.Transport.HTTP)
                .map(response -> Response.ok(
                                OtlpCodec.encode(response, json), json ? OtlpCodec.JSON : OtlpCodec.PROTOBUF)
                        .build());
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            throw new OtlpException(415, "Content-Type must be application/x-protobuf or application/json", null);
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (type.equals(OtlpCodec.JSON)) {
            return true;
        }
        if (type.equals(OtlpCodec.PROTOBUF)) {
            return false;
        }
        throw new OtlpException(
                415, "Content-Type must be application/x-protobuf or application/json, not " + contentType, null);
    }

    @ServerExceptionMapper
    public Response otlpFailure(OtlpException e, HttpHeaders headers) {
        return status(e.httpStatus(), e.grpcCode(), e.getMessage(), e.retryAfterSeconds(), headers);
    }

    @ServerExceptionMapper
    public Response overloaded(ProblemException e, HttpHeaders headers) {
        int code = e.status() == 429 || e.status() == 413 ? 8 : e.status() == 503 ? 14 : 3;
        return status(e.status(), code, e.getMessage(), e.retryAfterSeconds(), headers);
    }

    private static Response status(int http, int grpcCode, String message, Integer retryAfter, HttpHeaders headers) {
        String contentType = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        boolean json = contentType != null
                && contentType.toLowerCase(java.util.Locale.ROOT).startsWith(OtlpCodec.JSON);
        Response.ResponseBuilder builder = Response.status(http)
                .entity(OtlpCodec.status(grpcCode, message, json))
                .type(json ? OtlpCodec.JSON : OtlpCodec.PROTOBUF);
        if (retryAfter != null) {
            builder.header("Retry-After", retryAfter);
        }
        return builder.build();
    }
}
