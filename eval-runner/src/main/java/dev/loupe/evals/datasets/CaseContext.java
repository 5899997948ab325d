package dev.loupe.evals.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.RetrievalResult;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a regression case keeps of its decision besides input and output: enough to rebuild the decision
 * with a candidate output in its place, so every evaluator (grounding, budgets, schemas) judges the candidate
 * as it judged the original.
 */
@RegisterForReflection
public record CaseContext(
        String traceId,
        String feature,
        String promptTemplate,
        String promptVersion,
        String model,
        List<RetrievalResult> retrievalResults,
        JsonNode parsedOutput,
        String parseError,
        BigDecimal costUsd,
        Long latencyMs,
        Map<String, String> metadata,
        Instant occurredAt) {

    public static CaseContext of(DecisionRecord d) {
        return new CaseContext(
                d.traceId(),
                d.feature(),
                d.promptTemplate(),
                d.promptVersion(),
                d.model(),
                d.retrievalResults(),
                d.parsedOutput(),
                d.parseError(),
                d.costUsd(),
                d.latencyMs(),
                d.metadata(),
                d.occurredAt());
    }
}
