package dev.loupe.common.http;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Why one item of a batch was not accepted; {@code field} is its JSON path, e.g. {@code spans[3].traceId}. */
@RegisterForReflection
public record ItemRejection(int index, String field, String reason) {}
