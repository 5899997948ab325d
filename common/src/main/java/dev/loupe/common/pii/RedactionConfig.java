package dev.loupe.common.pii;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Redactor} strips from free text before it leaves a service ({@code loupe.redaction.*}, env
 * {@code LOUPE_REDACTION_*}): the collector's prompts and completions, the feedback-service's corrections.
 */
@ConfigMapping(prefix = "loupe.redaction")
public interface RedactionConfig {
    /**
     * Longest prompt, completion, input or output the collector keeps, in characters; longer text is cut and
     * flagged (by the collector's {@code TextLimiter}; other services bound their text themselves).
     */
    @WithDefault("32000")
    int maxTextLength();

    /** Redact e-mail addresses. */
    @WithDefault("true")
    boolean emails();

    /** Redact phone numbers (international or 10+ digits with separators). */
    @WithDefault("true")
    boolean phones();

    /** Redact payment card numbers that pass the Luhn check. */
    @WithDefault("true")
    boolean cards();

    /** Redact IBANs that pass the mod-97 check. */
    @WithDefault("true")
    boolean ibans();

    /** Extra patterns, by kind: {@code loupe.redaction.patterns.employee-id=EMP-\\d{6}}. */
    Map<String, String> patterns();

    /**
     * A string that must never reach Kafka (a planted canary to prove redaction works end to end); it is
     * always redacted, counted as {@code canary}, and logged as a warning when seen.
     */
    Optional<String> canary();
}
