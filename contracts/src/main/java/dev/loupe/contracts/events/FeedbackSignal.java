package dev.loupe.contracts.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** What a user said about a decision; the HTTP API accepts the names in upper or lower case. */
public enum FeedbackSignal {
    CORRECT,
    INCORRECT,
    EDITED,
    DISMISSED,
    THUMBS_UP,
    THUMBS_DOWN;

    @JsonCreator
    public static FeedbackSignal parse(String value) {
        if (value == null) {
            return null;
        }
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
