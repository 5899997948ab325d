package dev.loupe.common.http;

/** What is wrong with one field of one item, the field relative to the item ({@code traceId}). */
public record FieldProblem(String field, String reason) {}
