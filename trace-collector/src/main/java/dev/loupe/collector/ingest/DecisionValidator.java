package dev.loupe.collector.ingest;

import java.util.Optional;
import java.util.regex.Pattern;

/** Checks the fields of one decision that Jackson's types cannot. */
final class DecisionValidator {
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final int MAX_ID = 256;

    private DecisionValidator() {
    }

    static Optional<FieldProblem> firstProblem(DecisionInput d) {
        if (d.decisionId() == null || d.decisionId().isBlank()) {
            return problem("decisionId", "is required");
        }
        if (d.decisionId().length() > MAX_ID) {
            return problem("decisionId", "is longer than " + MAX_ID + " characters");
        }
        if (d.traceId() != null && !TRACE_ID.matcher(d.traceId()).matches()) {
            return problem("traceId", "must be 32 lowercase hex characters or null");
        }
        if (d.latencyMs() != null && d.latencyMs() < 0) {
            return problem("latencyMs", "must not be negative");
        }
        if (d.costUsd() != null && d.costUsd().signum() < 0) {
            return problem("costUsd", "must not be negative");
        }
        for (String[] field : new String[][]{{"decisionId", d.decisionId()}, {"feature", d.feature()}, {"model", d.model()},
                {"promptTemplate", d.promptTemplate()}, {"promptVersion", d.promptVersion()}}) {
            if (field[1] != null && field[1].length() > MAX_ID) {
                return problem(field[0], "is longer than " + MAX_ID + " characters");
            }
            if (field[1] != null && field[1].chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                return problem(field[0], "must not contain control characters");
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
