package dev.loupe.evals.sampling;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.evals.features.EvaluationPlan;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic sampling: a decision is chosen when the hash of its project and id, read as a number in
 * [0, 1), falls under the feature's rate. A replay therefore selects exactly the same decisions, and raising
 * the rate from 0.1 to 0.2 keeps every decision the lower rate chose. The per-minute cap is applied later,
 * against the database, because it depends on what other decisions of that minute already took.
 */
public final class Sampler {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private Sampler() {}

    /** The verdict before the per-minute cap: the always-include rules first, then the rate. */
    public static SamplingVerdict wanted(DecisionRecord decision, EvaluationPlan plan) {
        if (decision.status() == Outcome.ERROR && plan.includeErrors()) {
            return SamplingVerdict.ERROR;
        }
        if (decision.status() == Outcome.TRUNCATED && plan.includeTruncated()) {
            return SamplingVerdict.TRUNCATED;
        }
        return position(decision.projectId(), decision.decisionId()) < plan.samplingRate()
                ? SamplingVerdict.RATE
                : SamplingVerdict.SKIPPED;
    }

    /** Where a decision falls in [0, 1): the first 53 bits of SHA-256(projectId, NUL, decisionId). */
    public static double position(String projectId, String decisionId) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        digest.update(projectId.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        byte[] hash = digest.digest(decisionId.getBytes(StandardCharsets.UTF_8));
        long bits = ByteBuffer.wrap(hash, 0, 8).getLong() >>> 11;
        return bits * 0x1.0p-53;
    }
}
