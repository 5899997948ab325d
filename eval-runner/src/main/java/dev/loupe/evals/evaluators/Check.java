package dev.loupe.evals.evaluators;

import dev.loupe.contracts.events.DecisionRecord;

/** A compiled evaluator: pure, thread-safe, and cheap enough to run on every sampled decision. */
@FunctionalInterface
public interface Check {
    /**
     * Scores one decision.
     *
     * @param reference the expected answer when the evaluation has one (a regression case, a correction), else null
     * @return the verdict; when the evaluator does not apply to this decision (a citation check on an answer
     *         without citations) a {@link Verdict#notApplicable not-applicable} one saying why: no result is
     *         recorded then, and the skip is counted with its reason
     */
    Verdict score(DecisionRecord decision, String reference);
}
