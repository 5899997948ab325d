package dev.loupe.common.events;

/** Why an evaluation ran. */
public enum EvalTrigger {
    SAMPLED, FEEDBACK, REGRESSION, MANUAL
}
