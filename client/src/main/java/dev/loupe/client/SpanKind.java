package dev.loupe.client;

/** What a span did; the names are the collector's ({@code SpanRecord.kind}). */
public enum SpanKind {
    LLM, RETRIEVAL, TOOL, EMBEDDING, AGENT, CHAIN, OTHER
}
