package dev.loupe.collector.otlp;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.collector.ingest.DecisionInput;
import dev.loupe.collector.ingest.DecisionNormalizer;
import dev.loupe.collector.ingest.DecisionPublisher;
import dev.loupe.common.http.FieldProblem;
import dev.loupe.collector.ingest.KeyRateLimiter;
import dev.loupe.collector.ingest.SpanInput;
import dev.loupe.collector.ingest.SpanNormalizer;
import dev.loupe.collector.ingest.SpanPublisher;
import dev.loupe.collector.ingest.SpanValidator;
import dev.loupe.common.events.DecisionRecord;
import dev.loupe.common.events.SpanRecord;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * OTLP/HTTP trace receiver ({@code POST /v1/traces}): protobuf or JSON, optionally gzip. Valid spans are
 * mapped, redacted, priced and published; invalid ones are counted in {@code partial_success}. A root span
 * that carries a feature also yields a decision. Failures answer a {@code google.rpc.Status} body: 400 is
 * final, 429 and 503 carry Retry-After.
 */
@Path("/v1/traces")
public class OtlpTraceResource {
    private final SpanNormalizer spans;
    private final DecisionNormalizer decisions;
    private final SpanPublisher spanPublisher;
    private final DecisionPublisher decisionPublisher;
    private final KeyRateLimiter rateLimiter;
    private final CollectorConfig config;
    private final Caller caller;
    private final Counter accepted;
    private final Counter rejected;

    public OtlpTraceResource(SpanNormalizer spans, DecisionNormalizer decisions, SpanPublisher spanPublisher,
                             DecisionPublisher decisionPublisher, KeyRateLimiter rateLimiter, CollectorConfig config,
                             Caller caller, MeterRegistry registry) {
        this.spans = spans;
        this.decisions = decisions;
        this.spanPublisher = spanPublisher;
        this.decisionPublisher = decisionPublisher;
        this.rateLimiter = rateLimiter;
        this.config = config;
        this.caller = caller;
        this.accepted = registry.counter("loupe.collector.otlp.spans.accepted");
        this.rejected = registry.counter("loupe.collector.otlp.spans.rejected");
    }

    @POST
    @RolesAllowed(Scope.INGEST_ROLE)
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> export(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding) {
        boolean json = isJson(contentType);
        rateLimiter.acquire(caller.keyId());
        String projectId = caller.projectId();
        ExportTraceServiceRequest request = OtlpCodec.parse(
                OtlpCodec.decompress(body, contentEncoding, config.maxBodyBytes()), json);
        int total = request.getResourceSpansList().stream().flatMap(r -> r.getScopeSpansList().stream())
                .mapToInt(ScopeSpans::getSpansCount).sum();
        if (total > config.maxBatchItems()) {
            throw new OtlpException(413, "a request holds at most " + config.maxBatchItems() + " spans; this one has "
                    + total, null);
        }
        Instant receivedAt = Instant.now();
        List<OtlpSpanMapper.Mapped> mapped = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            Map<String, Object> resource = OtlpValues.toMap(resourceSpans.getResource().getAttributesList());
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    OtlpSpanMapper.Mapped m = OtlpSpanMapper.map(span, resource);
                    Optional<FieldProblem> problem = SpanValidator.firstProblem(m.span());
                    if (problem.isPresent()) {
                        problems.add("span '" + span.getName() + "': " + problem.get().field() + " "
                                + problem.get().reason());
                    } else {
                        mapped.add(m);
                    }
                }
            }
        }
        List<SpanRecord> records = mapped.stream().map(m -> spans.normalize(projectId, m.span(), receivedAt)).toList();
        List<DecisionRecord> decisionRecords = decisionsOf(projectId, mapped, receivedAt);
        return spanPublisher.publish(records)
                .chain(() -> decisionPublisher.publish(decisionRecords))
                .map(ignored -> {
                    accepted.increment(records.size());
                    rejected.increment(problems.size());
                    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
                    if (!problems.isEmpty()) {
                        response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                                .setRejectedSpans(problems.size())
                                .setErrorMessage(problems.size() + " span(s) rejected; first: " + problems.get(0)));
                    }
                    return Response.ok(OtlpCodec.encode(response.build(), json),
                            json ? OtlpCodec.JSON : OtlpCodec.PROTOBUF).build();
                });
    }

    /** A root span with a feature is the entry of one user-facing decision; its trace's documents join it. */
    private List<DecisionRecord> decisionsOf(String projectId, List<OtlpSpanMapper.Mapped> mapped, Instant receivedAt) {
        Map<String, List<DecisionInput.Retrieved>> documentsByTrace = new HashMap<>();
        for (OtlpSpanMapper.Mapped m : mapped) {
            documentsByTrace.computeIfAbsent(m.span().traceId(), t -> new ArrayList<>()).addAll(m.documents());
        }
        List<DecisionRecord> out = new ArrayList<>();
        for (OtlpSpanMapper.Mapped m : mapped) {
            SpanInput s = m.span();
            if (!m.root() || s.feature() == null) {
                continue;
            }
            String decisionId = m.decisionId() != null ? m.decisionId() : s.traceId();
            Long latency = s.endTime() == null ? null : s.endTime().toEpochMilli() - s.startTime().toEpochMilli();
            DecisionInput decision = new DecisionInput(decisionId, s.traceId(), s.feature(), s.prompt(),
                    documentsByTrace.getOrDefault(s.traceId(), List.of()), m.promptTemplate(), m.promptVersion(),
                    s.model(), s.completion(), null, null, s.status(), s.errorType(), null, latency, s.startTime(),
                    s.metadata());
            out.add(decisions.normalize(projectId, decision, receivedAt));
        }
        return out;
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
        throw new OtlpException(415, "Content-Type must be application/x-protobuf or application/json, not "
                + contentType, null);
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
        boolean json = contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith(OtlpCodec.JSON);
        Response.ResponseBuilder builder = Response.status(http)
                .entity(OtlpCodec.status(grpcCode, message, json))
                .type(json ? OtlpCodec.JSON : OtlpCodec.PROTOBUF);
        if (retryAfter != null) {
            builder.header("Retry-After", retryAfter);
        }
        return builder.build();
    }
}
