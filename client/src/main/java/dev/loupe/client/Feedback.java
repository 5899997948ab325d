package dev.loupe.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.FeedbackSignal;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/** What a user said about one decision, as {@code POST /v1/feedback} takes it. Immutable. */
public final class Feedback {
    private final ObjectNode json;
    private final String idempotencyKey;

    private Feedback(ObjectNode json, String idempotencyKey) {
        this.json = json;
        this.idempotencyKey = idempotencyKey;
    }

    public static Builder of(String decisionId, FeedbackSignal signal) {
        return new Builder(decisionId, signal);
    }

    /** A copy of the request body (the idempotency key travels as a header). */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    /** The {@code Idempotency-Key} header, or null. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    ObjectNode json() {
        return json;
    }

    @Override
    public String toString() {
        return json.toString();
    }

    /** Collects the feedback's fields; a null value removes the field. */
    public static final class Builder {
        private final ObjectNode json = Json.object();
        private String idempotencyKey;

        private Builder(String decisionId, FeedbackSignal signal) {
            if (decisionId == null || decisionId.isBlank()) {
                throw new IllegalArgumentException("decisionId is required");
            }
            json.put("decisionId", decisionId);
            json.put("signal", Objects.requireNonNull(signal, "signal").name().toLowerCase(Locale.ROOT));
        }

        /** What the user put instead; required with {@link FeedbackSignal#EDITED}. Redacted by the service. */
        public Builder correction(String correction) {
            Json.put(json, "correction", correction);
            return this;
        }

        public Builder feedbackText(String feedbackText) {
            Json.put(json, "feedbackText", feedbackText);
            return this;
        }

        /** The app's user id; the service stores only its HMAC. */
        public Builder userId(String userId) {
            Json.put(json, "userId", userId);
            return this;
        }

        /** When the user gave it; the service uses the time it received it otherwise. */
        public Builder occurredAt(Instant occurredAt) {
            Json.put(json, "occurredAt", occurredAt);
            return this;
        }

        /**
         * Makes a retry safe: the service stores feedback with the same key once and answers every retry with
         * the first feedback's id (at most 256 characters, unique per project).
         */
        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public Feedback build() {
            return new Feedback(json.deepCopy(), idempotencyKey);
        }
    }
}
