package dev.loupe.collector.ingest;

import dev.loupe.common.crypto.IdentifierHasher;
import dev.loupe.common.events.Outcome;
import dev.loupe.common.events.SchemaVersions;
import dev.loupe.common.events.SpanKind;
import dev.loupe.common.events.SpanRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Turns a validated {@link SpanInput} into the {@link SpanRecord} every consumer sees. */
@ApplicationScoped
public class SpanNormalizer {
    private final IdentifierHasher identifiers;

    public SpanNormalizer(IdentifierHasher identifiers) {
        this.identifiers = identifiers;
    }

    public SpanRecord normalize(String projectId, SpanInput in, Instant receivedAt) {
        SpanKind kind = in.kind() == null ? SpanKind.OTHER : in.kind();
        Long latency = in.latencyMs();
        if (latency == null && in.endTime() != null) {
            latency = Duration.between(in.startTime(), in.endTime()).toMillis();
        }
        return new SpanRecord(SchemaVersions.CURRENT, projectId, in.traceId(), in.spanId(), in.parentSpanId(), kind,
                in.name() == null ? kind.name().toLowerCase() : in.name(), in.provider(), in.model(),
                in.startTime(), in.endTime(), latency, in.timeToFirstTokenMs(), in.inputTokens(), in.outputTokens(),
                in.cachedInputTokens(), in.reasoningTokens(), in.costUsd(), in.prompt(), in.completion(), false,
                Map.of(), in.parsedOutput(), in.parseError(), in.status() == null ? Outcome.SUCCESS : in.status(),
                in.errorType(), in.errorMessage(), in.feature(), in.sessionId(), identifiers.hash(projectId, in.userId()),
                in.decisionId(), in.toolName(), in.metadata() == null ? Map.of() : in.metadata(),
                in.attributes() == null ? Map.of() : in.attributes(), receivedAt);
    }
}
