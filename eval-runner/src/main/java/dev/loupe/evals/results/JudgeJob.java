package dev.loupe.evals.results;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.EvalTrigger;

/** An LLM-judge evaluation waiting in {@code evals.judge_jobs}: it runs off the consumer's path. */
public record JudgeJob(
        String projectId,
        String decisionId,
        String feature,
        String evaluatorVersion,
        EvalTrigger trigger,
        JsonNode config,
        double threshold,
        String reference) {}
