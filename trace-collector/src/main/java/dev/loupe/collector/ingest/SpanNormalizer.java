package dev.loupe.collector.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.collector.pricing.CostCalculator;
import dev.loupe.collector.redaction.TextLimiter;
import dev.loupe.common.crypto.IdentifierHasher;
import dev.loupe.common.pii.RedactionCounts;
import dev.loupe.common.pii.Redactor;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.wire.SpanInput;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a validated {@link SpanInput} into the {@link SpanRecord} every consumer sees: defaults, derived
 * latency, truncation, PII redaction (text, metadata, attributes, parsed output), user-id HMAC and cost.
 */
@ApplicationScoped
public class SpanNormalizer {
    private final IdentifierHasher identifiers;
    private final Redactor redactor;
    private final TextLimiter limiter;
    private final CostCalculator costs;

    public SpanNormalizer(IdentifierHasher identifiers, Redactor redactor, TextLimiter limiter, CostCalculator costs) {
        this.identifiers = identifiers;
        this.redactor = redactor;
        this.limiter = limiter;
        this.costs = costs;
    }

    public SpanRecord normalize(String projectId, SpanInput in, Instant receivedAt) {
        SpanKind kind = in.kind() == null ? SpanKind.OTHER : in.kind();
        Long latency = in.latencyMs();
        if (latency == null && in.endTime() != null) {
            latency = Duration.between(in.startTime(), in.endTime()).toMillis();
        }
        boolean truncated = limiter.exceeds(in.prompt()) || limiter.exceeds(in.completion());
        RedactionCounts redactions = new RedactionCounts();
        String prompt = redactor.redact(limiter.limit(in.prompt()), redactions);
        String completion = redactor.redact(limiter.limit(in.completion()), redactions);
        String errorMessage = redactor.redact(limiter.limit(in.errorMessage()), redactions);
        String parseError = redactor.redact(limiter.limit(in.parseError()), redactions);
        String errorType = redactor.redact(in.errorType(), redactions);
        // redacted before the record is built: its redaction counts are a copy taken there
        String toolArguments = redactor.redact(limiter.limit(in.toolArguments()), redactions);
        String toolResult = redactor.redact(limiter.limit(in.toolResult()), redactions);
        JsonNode parsed = redactor.redact(
                in.parsedOutput() == null ? null : in.parsedOutput().deepCopy(), redactions);
        Map<String, String> metadata = redactValues(in.metadata(), redactions);
        Map<String, Object> attributes = redactAttributes(in.attributes(), redactions);
        BigDecimal cost = in.costUsd() != null
                ? in.costUsd()
                : costs.cost(
                        projectId,
                        in.provider(),
                        in.model(),
                        in.startTime(),
                        in.inputTokens(),
                        in.outputTokens(),
                        in.cachedInputTokens(),
                        in.cacheWriteInputTokens(),
                        in.reasoningTokens());
        Outcome status = in.status() == null ? Outcome.SUCCESS : in.status();
        return new SpanRecord(
                SchemaVersions.CURRENT,
                projectId,
                in.traceId(),
                in.spanId(),
                in.parentSpanId(),
                kind,
                in.name() == null ? kind.name().toLowerCase(Locale.ROOT) : in.name(),
                in.provider(),
                in.model(),
                in.requestModel(),
                in.startTime(),
                in.endTime(),
                latency,
                in.timeToFirstTokenMs(),
                in.inputTokens(),
                in.outputTokens(),
                in.cachedInputTokens(),
                in.cacheWriteInputTokens(),
                in.reasoningTokens(),
                cost,
                prompt,
                completion,
                truncated,
                redactions.asMap(),
                parsed,
                parseError,
                status,
                errorType,
                errorMessage,
                in.feature(),
                in.sessionId(),
                identifiers.hash(projectId, in.userId()),
                in.decisionId(),
                in.toolName(),
                toolArguments,
                toolResult,
                metadata,
                attributes,
                receivedAt);
    }

    private Map<String, String> redactValues(Map<String, String> values, RedactionCounts counts) {
        if (values == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, redactor.redact(limiter.limit(v), counts)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> redactAttributes(Map<String, Object> attributes, RedactionCounts counts) {
        if (attributes == null || attributes.isEmpty()) {
            return Map.of();
        }
        JsonNode tree = redactor.redact(EventJson.mapper().valueToTree(attributes), counts);
        return EventJson.mapper().convertValue(tree, Map.class);
    }
}
