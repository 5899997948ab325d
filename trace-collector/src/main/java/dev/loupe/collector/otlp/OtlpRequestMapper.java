package dev.loupe.collector.otlp;

import dev.loupe.collector.ingest.DecisionNormalizer;
import dev.loupe.collector.ingest.SpanNormalizer;
import dev.loupe.collector.ingest.SpanValidator;
import dev.loupe.common.http.FieldProblem;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.wire.DecisionInput;
import dev.loupe.contracts.wire.SpanInput;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    private final Counter embeddingVectorsDropped;

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

    OtlpRequestMapper(SpanNormalizer spans, DecisionNormalizer decisions, int maxSpans, MeterRegistry registry) {
        this.spans = spans;
        this.decisions = decisions;
        this.maxSpans = maxSpans;
        this.embeddingVectorsDropped = registry.counter("loupe.collector.embedding.vectors.dropped");
    }

    /** @throws OtlpException 413 when the request holds more than {@code maxSpans} spans */
    void checkSize(ExportTraceServiceRequest request) {
        int total = request.getResourceSpansList().stream()
                .flatMap(r -> r.getScopeSpansList().stream())
                .mapToInt(ScopeSpans::getSpansCount)
                .sum();
        if (total > maxSpans) {
            throw new OtlpException(413, "a request holds at most " + maxSpans + " spans; this one has " + total, null);
        }
    }

    /** @throws OtlpException 413 when the request holds more than {@code maxSpans} spans */
    Mapping map(ExportTraceServiceRequest request, String projectId, Instant receivedAt) {
        checkSize(request);
        List<OtlpSpanMapper.Mapped> all = new ArrayList<>();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            Map<String, Object> resource =
                    OtlpValues.toMap(resourceSpans.getResource().getAttributesList());
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                String scope = scopeSpans.getScope().getName();
                for (Span span : scopeSpans.getSpansList()) {
                    OtlpSpanMapper.Mapped m = OtlpSpanMapper.map(span, resource, scope);
                    embeddingVectorsDropped.increment(m.embeddingVectorsDropped());
                    all.add(m);
                }
            }
        }
        List<OtlpSpanMapper.Mapped> mapped = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (OtlpSpanMapper.Mapped m : inheritAlongTraces(all)) {
            Optional<FieldProblem> problem = SpanValidator.firstProblem(m.span());
            if (problem.isPresent()) {
                problems.add("span '" + (m.span().name() == null ? "" : m.span().name()) + "': "
                        + problem.get().field() + " " + problem.get().reason());
            } else {
                mapped.add(m);
            }
        }
        List<SpanRecord> records = mapped.stream()
                .map(m -> spans.normalize(projectId, m.span(), receivedAt))
                .toList();
        return new Mapping(records, decisionsOf(projectId, mapped, receivedAt), problems);
    }

    /**
     * A span without a feature, session or user takes each from its nearest valid ancestor in the same request
     * that has one (apps set {@code user.id} / {@code session.id} on their own span, the LLM spans below it
     * carry none); an invalid ancestor is walked through, never inherited from. Across requests the aggregator
     * does the same.
     */
    static List<OtlpSpanMapper.Mapped> inheritAlongTraces(List<OtlpSpanMapper.Mapped> all) {
        Map<String, SpanInput> byId = new HashMap<>();
        for (OtlpSpanMapper.Mapped m : all) {
            byId.putIfAbsent(m.span().traceId() + "/" + m.span().spanId(), m.span());
        }
        Map<SpanInput, Boolean> valid = new IdentityHashMap<>();
        List<OtlpSpanMapper.Mapped> out = new ArrayList<>(all.size());
        for (OtlpSpanMapper.Mapped m : all) {
            SpanInput s = m.span();
            String feature = s.feature();
            String session = s.sessionId();
            String user = s.userId();
            String parent = s.parentSpanId();
            // at most one hop per span of the request: a parent cycle in a bad request ends the walk
            for (int hops = 0;
                    parent != null && hops < all.size() && (feature == null || session == null || user == null);
                    hops++) {
                SpanInput ancestor = byId.get(s.traceId() + "/" + parent);
                if (ancestor == null) {
                    break;
                }
                parent = ancestor.parentSpanId();
                if (!valid.computeIfAbsent(
                        ancestor, x -> SpanValidator.firstProblem(x).isEmpty())) {
                    continue;
                }
                feature = feature != null ? feature : ancestor.feature();
                session = session != null ? session : ancestor.sessionId();
                user = user != null ? user : ancestor.userId();
            }
            boolean changed = !Objects.equals(feature, s.feature())
                    || !Objects.equals(session, s.sessionId())
                    || !Objects.equals(user, s.userId());
            out.add(changed ? m.withSpan(withIdentity(s, feature, session, user)) : m);
        }
        return out;
    }

    private static SpanInput withIdentity(SpanInput s, String feature, String session, String user) {
        return new SpanInput(
                s.traceId(),
                s.spanId(),
                s.parentSpanId(),
                s.kind(),
                s.name(),
                s.provider(),
                s.model(),
                s.requestModel(),
                s.startTime(),
                s.endTime(),
                s.latencyMs(),
                s.timeToFirstTokenMs(),
                s.inputTokens(),
                s.outputTokens(),
                s.cachedInputTokens(),
                s.cacheWriteInputTokens(),
                s.reasoningTokens(),
                s.costUsd(),
                s.prompt(),
                s.completion(),
                s.parsedOutput(),
                s.parseError(),
                s.status(),
                s.errorType(),
                s.errorMessage(),
                feature,
                session,
                user,
                s.decisionId(),
                s.toolName(),
                s.toolArguments(),
                s.toolResult(),
                s.metadata(),
                s.attributes());
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
