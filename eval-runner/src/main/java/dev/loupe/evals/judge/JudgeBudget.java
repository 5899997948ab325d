package dev.loupe.evals.judge;

import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * Calls the judge may start in the current minute ({@code loupe.judge.max-calls-per-minute}), per replica;
 * every HTTP attempt takes one, retries and manual evaluations included.
 */
@Singleton
public class JudgeBudget {
    private final int perMinute;
    private long minute = Long.MIN_VALUE;
    private int used;

    public JudgeBudget(JudgeConfig config) {
        this.perMinute = config.maxCallsPerMinute();
    }

    /** Takes up to {@code wanted} calls from this minute's budget and returns how many were granted. */
    public synchronized int take(int wanted, Instant now) {
        roll(now);
        int granted = Math.max(0, Math.min(wanted, perMinute - used));
        used += granted;
        return granted;
    }

    /** Calls still allowed this minute. */
    public synchronized int remaining(Instant now) {
        roll(now);
        return Math.max(0, perMinute - used);
    }

    private void roll(Instant now) {
        long current = now.toEpochMilli() / 60_000;
        if (current != minute) {
            minute = current;
            used = 0;
        }
    }
}
