package dev.loupe.evals.judge;

/** The judge's score and reason, and what the call used (for the judge's own cost). */
public record JudgeVerdict(double score, String reason, String model, Integer inputTokens, Integer outputTokens) {}
