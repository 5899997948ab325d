package dev.loupe.evals.results;

import dev.loupe.contracts.events.EvalTrigger;
import java.time.Instant;

/**
 * An evaluator that did not apply to a decision, and why (its not-applicable verdict's reason). Stored once per
 * decision, evaluator, version and trigger in {@code evals.skips}, like a result, so that "sampled N, judged M, not
 * applicable K (reason)" can be counted per feature and evaluator.
 */
public record Skip(
        String projectId,
        String decisionId,
        String feature,
        String evaluator,
        String evaluatorVersion,
        EvalTrigger trigger,
        String reason,
        Instant skippedAt) {}
