package dev.loupe.collector.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.collector.redaction.TextLimiter;
import dev.loupe.common.crypto.IdentifierHasher;
import dev.loupe.common.pii.RedactionCounts;
import dev.loupe.common.pii.Redactor;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.wire.DecisionInput;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a validated {@link DecisionInput} into a {@link DecisionRecord}: input and output hashed (HMAC, from
 * the text as sent) then truncated and redacted; retrieved document text reduced to its HMAC.
 */
@ApplicationScoped
public class DecisionNormalizer {
    private final IdentifierHasher hasher;
    private final Redactor redactor;
    private final TextLimiter limiter;

    public DecisionNormalizer(IdentifierHasher hasher, Redactor redactor, TextLimiter limiter) {
        this.hasher = hasher;
        this.redactor = redactor;
        this.limiter = limiter;
    }

    public DecisionRecord normalize(String projectId, DecisionInput in, Instant receivedAt) {
        RedactionCounts redactions = new RedactionCounts();
        if (limiter.exceeds(in.input()) || limiter.exceeds(in.output())) {
            redactions.add("truncated", 1); // DecisionRecord has no flag of its own: the count says it was cut
        }
        List<RetrievalResult> retrieved = in.retrievalResults() == null
                ? List.of()
                : in.retrievalResults().stream()
                        .map(r -> new RetrievalResult(
                                r.docId(),
                                r.score(),
                                r.text() != null ? hasher.hash(projectId, r.text()) : r.textHash()))
                        .toList();
        JsonNode parsed = redactor.redact(
                in.parsedOutput() == null ? null : in.parsedOutput().deepCopy(), redactions);
        Map<String, String> metadata = new LinkedHashMap<>();
        if (in.metadata() != null) {
            in.metadata().forEach((k, v) -> metadata.put(k, redactor.redact(limiter.limit(v), redactions)));
        }
        return new DecisionRecord(
                SchemaVersions.CURRENT,
                projectId,
                in.decisionId(),
                in.traceId(),
                in.feature(),
                redactor.redact(limiter.limit(in.input()), redactions),
                hasher.hash(projectId, in.input()),
                retrieved,
                in.promptTemplate(),
                in.promptVersion(),
                in.model(),
                redactor.redact(limiter.limit(in.output()), redactions),
                hasher.hash(projectId, in.output()),
                parsed,
                in.parseError(),
                redactions.asMap(),
                in.status() == null ? Outcome.SUCCESS : in.status(),
                in.errorType(),
                in.costUsd(),
                in.latencyMs(),
                in.occurredAt() == null ? receivedAt : in.occurredAt(),
                metadata);
    }
}
