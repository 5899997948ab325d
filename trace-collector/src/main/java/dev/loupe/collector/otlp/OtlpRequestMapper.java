package dev.loupe.collector.otlp;

import dev.loupe.collector.ingest.DecisionNormalizer;
import dev.loupe.collector.ingest.SpanNormalizer;
import dev.loupe.collector.ingest.SpanValidator;
import dev.loupe.common.http.FieldProblem;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.wire.DecisionInput;
import dev.loupe.contracts.wire.SpanInput;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a decoded OTLP request into the records to publish: each span mapped, validated and normalised (an invalid
 * one is only counted with its reason), plus the decisions of root spans that carry a feature. No I/O, so the
 * fuzz tests drive the same code the endpoint runs.
 */
final class OtlpRequestMapper {
    private final SpanNormalizer spans;
    private final DecisionNormalizer decisions;
    private final int maxSpans;

    /** The records of one request and why the other spans were rejected. */
    record Mapping(List<SpanRecord> spans, List<DecisionRecord> decisions, List<String> problems) {
        /** The answer once the records are published: {@code partial_success} names the first rejected span. */
        ExportTraceServiceResponse response() {
            ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
            if (!problems.isEmpty()) {
                response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                        .setRejectedSpans(problems.size())
                        .setErrorMessage(problems.size() + " span(s) rejected; first: " + problems.get(0)));
            }
            return response.build();
        }
    }

    OtlpRequestMapper(SpanNormalizer spans, DecisionNormalizer decisions, int maxSpans) {
        this.spans = spans;
        this.decisions = decisions;
        this.maxSpans = maxSpans;
    }

    /** @throws OtlpException 413 when the request holds more than {@code maxSpans} spans */
    Mapping map(ExportTraceServiceRequest request, String projectId, Instant receivedAt) {
        int total = request.getResourceSpansList().stream()
                .flatMap(r -> r.getScopeSpansList().stream())
                .mapToInt(ScopeSpans::getSpansCount)
                .sum();
        if (total > maxSpans) {
            throw new OtlpException(413, "a request holds at most " + maxSpans + " spans; this one has " + total, null);
        }
        List<OtlpSpanMapper.Mapped> mapped = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            Map<String, Object> resource =
                    OtlpValues.toMap(resourceSpans.getResource().getAttributesList());
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    OtlpSpanMapper.Mapped m = OtlpSpanMapper.map(span, resource);
                    Optional<FieldProblem> problem = SpanValidator.firstProblem(m.span());
                    if (problem.isPresent()) {
                        problems.add("span '" + span.getName() + "': "
                                + problem.get().field() + " " + problem.get().reason());
                    } else {
                        mapped.add(m);
                    }
                }
            }
        }
        List<SpanRecord> records = mapped.stream()
                .map(m -> spans.normalize(projectId, m.span(), receivedAt))
                .toList();
        return new Mapping(records, decisionsOf(projectId, mapped, receivedAt), problems);
    }

    /** A root span with a feature is the entry of one user-facing decision; its trace's documents join it. */
    private List<DecisionRecord> decisionsOf(String projectId, List<OtlpSpanMapper.Mapped> mapped, Instant receivedAt) {
        Map<String, List<DecisionInput.Retrieved>> documentsByTrace = new HashMap<>();
        for (OtlpSpanMapper.Mapped m : mapped) {
            documentsByTrace
                    .computeIfAbsent(m.span().traceId(), t -> new ArrayList<>())
                    .addAll(m.documents());
        }
        List<DecisionRecord> out = new ArrayList<>();
        for (OtlpSpanMapper.Mapped m : mapped) {
            SpanInput s = m.span();
            if (!m.root() || s.feature() == null) {
                continue;
            }
            String decisionId = m.decisionId() != null ? m.decisionId() : s.traceId();
            Long latency = s.endTime() == null
                    ? null
                    : s.endTime().toEpochMilli() - s.startTime().toEpochMilli();
            DecisionInput decision = new DecisionInput(
                    decisionId,
                    s.traceId(),
                    s.feature(),
                    s.prompt(),
                    documentsByTrace.getOrDefault(s.traceId(), List.of()),
                    m.promptTemplate(),
                    m.promptVersion(),
                    s.model(),
                    s.completion(),
                    null,
                    null,
                    s.status(),
                    s.errorType(),
                    null,
                    latency,
                    s.startTime(),
                    s.metadata());
            out.add(decisions.normalize(projectId, decision, receivedAt));
        }
        return out;
    }
}
