package dev.loupe.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.events.Outcome;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The full context of one user-facing AI decision, as {@code POST /v1/decisions} takes it: input, retrieved
 * documents, prompt template, model, output. Evaluations and feedback attach to its id. Immutable.
 */
public final class Decision implements Telemetry {
    private final ObjectNode json;

    private Decision(ObjectNode json) {
        this.json = json;
    }

    /** A decision with a new random id, occurring now. */
    public static Builder create() {
        return of(Ids.decisionId());
    }

    /** A decision with the app's own id (at most 256 characters), occurring now. */
    public static Builder of(String decisionId) {
        return new Builder(decisionId);
    }

    public String decisionId() {
        return json.get("decisionId").asText();
    }

    /** A copy of the JSON this decision is sent as. */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    @Override
    public Endpoint endpoint() {
        return Endpoint.DECISIONS;
    }

    @Override
    public ObjectNode json() {
        return json;
    }

    @Override
    public String toString() {
        return json.toString();
    }

    /** Collects a decision's fields; a null value removes the field. */
    public static final class Builder {
        private final ObjectNode json = Json.object();

        private Builder(String decisionId) {
            if (decisionId == null || decisionId.isBlank()) {
                throw new IllegalArgumentException("decisionId is required");
            }
            json.put("decisionId", decisionId);
            Json.put(json, "occurredAt", Instant.now());
        }

        public Builder traceId(String traceId) {
            if (traceId != null && !Ids.isTraceId(traceId)) {
                throw new IllegalArgumentException("traceId must be 32 lowercase hex characters: " + traceId);
            }
            Json.put(json, "traceId", traceId);
            return this;
        }

        /** The trace the decision was made in (usually its root span's). */
        public Builder trace(Span span) {
            return traceId(span.traceId());
        }

        public Builder feature(String feature) {
            Json.put(json, "feature", feature);
            return this;
        }

        /** What the user asked; optional, redacted and truncated by the collector, which also hashes it. */
        public Builder input(String input) {
            Json.put(json, "input", input);
            return this;
        }

        /**
         * A document the retrieval step returned. Its {@code text} is only hashed by the collector (HMAC), never
         * stored; it lets evaluations and similar-decision search compare documents.
         */
        public Builder retrieved(String docId, Double score, String text) {
            return addRetrieved(docId, score, "text", text);
        }

        /** A retrieved document with a hash the app computed instead of its text. */
        public Builder retrievedHash(String docId, Double score, String textHash) {
            return addRetrieved(docId, score, "textHash", textHash);
        }

        private Builder addRetrieved(String docId, Double score, String field, String value) {
            if (docId == null || docId.isBlank()) {
                throw new IllegalArgumentException("docId is required");
            }
            ArrayNode results = json.has("retrievalResults")
                    ? (ArrayNode) json.get("retrievalResults")
                    : json.putArray("retrievalResults");
            ObjectNode result = results.addObject().put("docId", docId);
            if (score != null) {
                result.put("score", score);
            }
            Json.put(result, field, value);
            return this;
        }

        public Builder promptTemplate(String promptTemplate) {
            Json.put(json, "promptTemplate", promptTemplate);
            return this;
        }

        public Builder promptVersion(String promptVersion) {
            Json.put(json, "promptVersion", promptVersion);
            return this;
        }

        public Builder model(String model) {
            Json.put(json, "model", model);
            return this;
        }

        /** What the AI answered; evaluators judge this. */
        public Builder output(String output) {
            Json.put(json, "output", output);
            return this;
        }

        public Builder parsedOutput(JsonNode parsedOutput) {
            Json.put(json, "parsedOutput", parsedOutput);
            return this;
        }

        /** The structured output as JSON text; {@link IllegalArgumentException} if it is not JSON. */
        public Builder parsedOutputJson(String parsedOutput) {
            return parsedOutput(parsedOutput == null ? null : Json.parse(parsedOutput));
        }

        public Builder parseError(String parseError) {
            Json.put(json, "parseError", parseError);
            return this;
        }

        public Builder status(Outcome status) {
            Json.put(json, "status", status == null ? null : status.name());
            return this;
        }

        /** Status ERROR with its type. */
        public Builder error(String errorType) {
            status(Outcome.ERROR);
            Json.put(json, "errorType", errorType);
            return this;
        }

        public Builder costUsd(BigDecimal costUsd) {
            Json.put(json, "costUsd", costUsd);
            return this;
        }

        public Builder latency(Duration latency) {
            Json.put(json, "latencyMs", latency == null ? null : latency.toMillis());
            return this;
        }

        public Builder occurredAt(Instant occurredAt) {
            Json.put(json, "occurredAt", occurredAt);
            return this;
        }

        public Builder metadata(String key, String value) {
            Json.putEntry(json, "metadata", Objects.requireNonNull(key, "key"), value);
            return this;
        }

        /** The decision; the builder may be reused, later changes do not affect it. */
        public Decision build() {
            return new Decision(json.deepCopy());
        }
    }
}
