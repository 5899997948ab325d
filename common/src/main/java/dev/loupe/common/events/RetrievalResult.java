package dev.loupe.common.events;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One document a retrieval step returned for a decision; the text itself is kept only as a hash. */
@RegisterForReflection
public record RetrievalResult(String docId, Double score, String textHash) {
}
