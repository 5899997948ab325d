package dev.loupe.evals.judge;

/** The judge could not be asked (refused, unreachable, 429, 5xx, timeout): the evaluation waits, it never fails. */
public class JudgeUnavailableException extends RuntimeException {
    private final boolean retryNow;

    public JudgeUnavailableException(String message, boolean retryNow) {
        super(message);
        this.retryNow = retryNow;
    }

    /** Worth another attempt within this run (429, 5xx, timeout); else only on a later run (401, egress refusal). */
    public boolean retryNow() {
        return retryNow;
    }
}
