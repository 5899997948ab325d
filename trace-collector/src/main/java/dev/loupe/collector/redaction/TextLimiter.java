package dev.loupe.collector.redaction;

import dev.loupe.common.pii.RedactionConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Truncates long text to {@code loupe.redaction.max-text-length} without splitting a surrogate pair; the
 * redaction itself is common's {@link dev.loupe.common.pii.Redactor}, shared with the feedback-service.
 */
@ApplicationScoped
public class TextLimiter {
    private final int max;

    public TextLimiter(RedactionConfig config) {
        this.max = config.maxTextLength();
    }

    public boolean exceeds(String text) {
        return text != null && text.length() > max;
    }

    public String limit(String text) {
        if (!exceeds(text)) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }
}
