package dev.loupe.collector.ingest;

import dev.loupe.common.http.FieldProblem;
import dev.loupe.contracts.wire.DecisionInput;
import java.util.Optional;

/** Checks the fields of one decision that Jackson's types cannot. */
final class DecisionValidator {

    private DecisionValidator() {}

    static Optional<FieldProblem> firstProblem(DecisionInput d) {
        if (d.decisionId() == null || d.decisionId().isBlank()) {
            return problem("decisionId", "is required");
        }
        if (d.traceId() != null && !SpanValidator.isId(d.traceId(), 32)) {
            return problem("traceId", "must be 32 lowercase hex characters or null");
        }
        if (SpanValidator.outOfRange(d.occurredAt())) {
            return problem("occurredAt", "must be between years 0001 and 9999");
        }
        if (d.latencyMs() != null && d.latencyMs() < 0) {
            return problem("latencyMs", "must not be negative");
        }
        if (d.costUsd() != null && d.costUsd().signum() < 0) {
            return problem("costUsd", "must not be negative");
        }
        for (String[] field : new String[][] {
            {"decisionId", d.decisionId()},
            {"feature", d.feature()},
            {"model", d.model()},
            {"promptTemplate", d.promptTemplate()},
            {"promptVersion", d.promptVersion()}
        }) {
            Optional<FieldProblem> problem = SpanValidator.textId(field[0], field[1]);
            if (problem.isPresent()) {
                return problem;
            }
        }
        if (d.retrievalResults() != null) {
            for (int i = 0; i < d.retrievalResults().size(); i++) {
                DecisionInput.Retrieved r = d.retrievalResults().get(i);
                String at = "retrievalResults[" + i + "]";
                if (r == null || r.docId() == null || r.docId().isBlank()) {
                    return problem(at + ".docId", "is required");
                }
                if (r.score() != null && !Double.isFinite(r.score())) {
                    return problem(at + ".score", "must be a finite number");
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<FieldProblem> problem(String field, String reason) {
        return Optional.of(new FieldProblem(field, reason));
    }
}
