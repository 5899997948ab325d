package dev.loupe.evals.evaluators;

/** A score in 0..1 and a reason a human can act on ("matched 2 of 3 required terms: missing 'refund'"). */
public record Verdict(double score, String reason) {
    public Verdict {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be within 0..1, was " + score);
        }
    }

    public static Verdict pass(String reason) {
        return new Verdict(1, reason);
    }

    public static Verdict fail(String reason) {
        return new Verdict(0, reason);
    }
}
