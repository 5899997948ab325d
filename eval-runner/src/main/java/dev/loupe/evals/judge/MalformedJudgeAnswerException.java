package dev.loupe.evals.judge;

/** The judge answered, but not the strict JSON asked for ({@code {"score": 0..1, "reason": "…"}}). */
public class MalformedJudgeAnswerException extends RuntimeException {
    public MalformedJudgeAnswerException(String message) {
        super(message);
    }
}
