package dev.loupe.evals.evaluators;

/**
 * A score in 0..1 and a reason a human can act on ("matched 2 of 3 required terms: missing 'refund'"); or, when
 * {@code applicable} is false, why the evaluator did not judge this decision at all ("the decision did not expect
 * structured output"). A not-applicable verdict records no result: it is counted, with its reason, per feature and
 * evaluator, so that an evaluator which never applies says why (eval-runner README, "Evaluators that stay silent").
 */
public record Verdict(double score, String reason, boolean applicable) {
    /** Shared by the evaluators that run a user's pattern under {@link BoundedRegex}'s time budget. */
    public static final Verdict PATTERN_TIMED_OUT =
            notApplicable("a pattern ran out of its time budget on this output, so it was not judged");

    public Verdict {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be within 0..1, was " + score);
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a verdict needs a reason");
        }
    }

    public Verdict(double score, String reason) {
        this(score, reason, true);
    }

    public static Verdict pass(String reason) {
        return new Verdict(1, reason);
    }

    public static Verdict fail(String reason) {
        return new Verdict(0, reason);
    }

    /** The evaluator does not apply to this decision; {@code reason} says why, and what would make it apply. */
    public static Verdict notApplicable(String reason) {
        return new Verdict(0, reason, false);
    }
}
