package dev.loupe.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One item the client queues and batches: a span or a decision, already in the collector's JSON. */
sealed interface Telemetry permits Span, Decision {

    Endpoint endpoint();

    /** The item's JSON; callers must not change it. */
    ObjectNode json();

    /** A collector endpoint for one kind of item and the array its batch body holds them in. */
    enum Endpoint {
        SPANS("/v1/spans", "spans"),
        DECISIONS("/v1/decisions", "decisions");

        final String path;
        final String arrayField;

        Endpoint(String path, String arrayField) {
            this.path = path;
            this.arrayField = arrayField;
        }
    }
}
