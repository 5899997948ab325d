package dev.loupe.feedback;

import dev.loupe.common.http.FieldProblem;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.wire.FeedbackInput;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Checks one {@link FeedbackInput}; the first problem found names its field relative to the item. */
final class FeedbackValidator {
    static final int MAX_ID = 256;
    static final String SIGNALS = "one of correct, incorrect, edited, dismissed, thumbs_up, thumbs_down (any case)";
    /** Clients' clocks run a little ahead; more than this is a mistake, not skew. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private FeedbackValidator() {}

    /** The signal named in any case, or {@code null} when it is none of {@link FeedbackSignal}. */
    static FeedbackSignal signal(String value) {
        try {
            return FeedbackSignal.parse(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static Optional<FieldProblem> firstProblem(FeedbackInput in, int maxTextLength, Instant now) {
        Optional<FieldProblem> id = identifier("decisionId", in.decisionId(), true);
        if (id.isPresent()) {
            return id;
        }
        if (in.signal() == null || in.signal().isBlank()) {
            return problem("signal", "is required: " + SIGNALS);
        }
        FeedbackSignal signal = signal(in.signal());
        if (signal == null) {
            return problem("signal", "'" + abbreviate(in.signal()) + "' is not a signal: " + SIGNALS);
        }
        if (signal == FeedbackSignal.EDITED
                && (in.correction() == null || in.correction().isBlank())) {
            return problem("correction", "is required when the signal is edited: the text the user put instead");
        }
        if (in.correction() != null && in.correction().length() > maxTextLength) {
            return problem("correction", "is longer than " + maxTextLength + " characters");
        }
        if (in.feedbackText() != null && in.feedbackText().length() > maxTextLength) {
            return problem("feedbackText", "is longer than " + maxTextLength + " characters");
        }
        if (in.userId() != null && in.userId().length() > MAX_ID) {
            return problem("userId", "is longer than " + MAX_ID + " characters");
        }
        if (in.occurredAt() != null && in.occurredAt().isAfter(now.plus(CLOCK_SKEW))) {
            return problem("occurredAt", "is in the future");
        }
        if (in.occurredAt() != null && in.occurredAt().isBefore(Instant.EPOCH)) {
            return problem("occurredAt", "is before 1970");
        }
        return identifier("idempotencyKey", in.idempotencyKey(), false);
    }

    /** Identifiers end up in keys, URLs and logs: bounded, and free of control characters. */
    static Optional<FieldProblem> identifier(String field, String value, boolean required) {
        if (value == null) {
            return required ? problem(field, "is required") : Optional.empty();
        }
        if (value.isBlank()) {
            return problem(field, "must not be blank");
        }
        if (value.length() > MAX_ID) {
            return problem(field, "is longer than " + MAX_ID + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            return problem(field, "must not contain control characters");
        }
        return Optional.empty();
    }

    private static String abbreviate(String value) {
        String printable = value.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "…";
    }

    private static Optional<FieldProblem> problem(String field, String reason) {
        return Optional.of(new FieldProblem(field, reason));
    }
}
