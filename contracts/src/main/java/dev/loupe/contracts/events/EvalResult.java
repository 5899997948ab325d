package dev.loupe.contracts.events;

import java.time.Instant;
import java.util.Map;

/** One evaluator's verdict on one decision, on {@link Topics#EVALS}. */
public record EvalResult(
        int schemaVersion,
        String projectId,
        String evalId,
        String decisionId,
        String feature,
        String evaluator,
        String evaluatorVersion,
        double score,
        boolean passed,
        String reason,
        EvalTrigger trigger,
        Map<String, String> dimensions,
        Instant evaluatedAt)
        implements LoupeEvent {}
