package dev.loupe.collector.redaction;

import jakarta.enterprise.context.ApplicationScoped;

/** Truncates long text to the configured size without splitting a surrogate pair. */
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
