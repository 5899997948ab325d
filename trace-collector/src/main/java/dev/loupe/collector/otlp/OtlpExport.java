package dev.loupe.collector.otlp;

import dev.loupe.collector.CollectorConfig;
import dev.loupe.collector.ingest.DecisionNormalizer;
import dev.loupe.collector.ingest.DecisionPublisher;
import dev.loupe.collector.ingest.SpanNormalizer;
import dev.loupe.collector.ingest.SpanPublisher;
import dev.loupe.collector.pricing.PriceOverrides;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The steps OTLP/HTTP and OTLP/gRPC share once a request is decoded and its caller known: map, publish spans then
 * decisions, and answer (with {@code partial_success} for rejected spans) only once Kafka acknowledged them. Spans
 * are counted per transport ({@code loupe.collector.otlp.spans.accepted|rejected}, tag {@code transport}).
 */
@ApplicationScoped
public class OtlpExport {
    /** How a request reached the collector: the {@code transport} tag of the span counters. */
    public enum Transport {
        HTTP,
        GRPC
    }

    private final OtlpRequestMapper mapper;
    private final SpanPublisher spanPublisher;
    private final DecisionPublisher decisionPublisher;
    private final MeterRegistry registry;
    private final PriceOverrides prices;

    public OtlpExport(
            SpanNormalizer spans,
            DecisionNormalizer decisions,
            SpanPublisher spanPublisher,
            DecisionPublisher decisionPublisher,
            CollectorConfig config,
            PriceOverrides prices,
            MeterRegistry registry) {
        this.mapper = new OtlpRequestMapper(spans, decisions, config.maxBatchItems(), registry);
        this.spanPublisher = spanPublisher;
        this.decisionPublisher = decisionPublisher;
        this.prices = prices;
        this.registry = registry;
    }

    /**
     * Publishes the request's valid spans and decisions for {@code projectId}.
     *
     * @throws OtlpException 413 when the request holds more spans than {@code loupe.collector.max-batch-items}
     */
    public Uni<ExportTraceServiceResponse> export(
            ExportTraceServiceRequest request, String projectId, Transport transport) {
        String tag = transport.name().toLowerCase(java.util.Locale.ROOT);
        // the project's price overrides are loaded (or known fresh) before its spans are priced; a request with
        // too many spans is refused before that (the mapper counts them first)
        mapper.checkSize(request);
        return prices.load(projectId)
                .map(loaded -> mapper.map(request, projectId, Instant.now()))
                .chain(this::publish)
                .map(mapping -> {
                    registry.counter("loupe.collector.otlp.spans.accepted", "transport", tag)
                            .increment(mapping.spans().size());
                    registry.counter("loupe.collector.otlp.spans.rejected", "transport", tag)
                            .increment(mapping.problems().size());
                    return mapping.response();
                });
    }

    private Uni<OtlpRequestMapper.Mapping> publish(OtlpRequestMapper.Mapping mapping) {
        return spanPublisher
                .publish(mapping.spans())
                .chain(() -> decisionPublisher.publish(mapping.decisions()))
                .replaceWith(mapping);
    }
}
