package dev.loupe.contracts.events;

/** Why an evaluation ran. */
public enum EvalTrigger {
    SAMPLED,
    FEEDBACK,
    REGRESSION,
    MANUAL
}
