package dev.loupe.common.pricing;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A long-context tier: a call whose input tokens (cached and cache-write ones included) exceed
 * {@code inputTokensAbove} is charged these prices for all of its tokens, input and output.
 */
@RegisterForReflection
public record Tier(long inputTokensAbove, Rates perMillion) {}
