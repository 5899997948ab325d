package dev.loupe.aggregator.spans;

import dev.loupe.contracts.events.SpanRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** {@code GET /v1/traces/{traceId}}: the spans of one trace, every stored field. */
@RegisterForReflection
public record TraceView(String traceId, List<SpanRecord> spans) {}
