package dev.loupe.evals.sampling;

import java.util.Locale;

/** Why a decision was or was not evaluated; stored with the decision so a redelivery gets the same answer. */
public enum SamplingVerdict {
    /** Its hash fell under the feature's sampling rate. */
    RATE,
    /** Errored decisions are always evaluated (unless the feature opts out). */
    ERROR,
    /** Truncated decisions are always evaluated (unless the feature opts out). */
    TRUNCATED,
    /** Sampled by rate, but the feature's per-minute cap was already reached. */
    CAPPED,
    /** Not sampled. */
    SKIPPED;

    public boolean evaluated() {
        return this == RATE || this == ERROR || this == TRUNCATED;
    }

    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SamplingVerdict fromStored(String value) {
        return value == null ? SKIPPED : valueOf(value.toUpperCase(Locale.ROOT));
    }
}
