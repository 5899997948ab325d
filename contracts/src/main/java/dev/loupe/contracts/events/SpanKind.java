package dev.loupe.contracts.events;

/** What a span did: an LLM call, a retrieval, a tool call and so on. */
public enum SpanKind {
    LLM,
    RETRIEVAL,
    TOOL,
    EMBEDDING,
    AGENT,
    CHAIN,
    OTHER
}
