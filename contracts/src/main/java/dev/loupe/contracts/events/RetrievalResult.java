package dev.loupe.contracts.events;

/** One document a retrieval step returned for a decision; the text itself is kept only as a hash. */
public record RetrievalResult(String docId, Double score, String textHash) {}
