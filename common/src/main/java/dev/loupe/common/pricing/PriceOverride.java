package dev.loupe.common.pricing;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/**
 * A project's own price for one model from {@code effectiveFrom} on (schema {@code tenancy}, table
 * {@code model_prices}; written by metrics-aggregator's {@code PUT /v1/prices/{provider}/{model}}).
 */
@RegisterForReflection
public record PriceOverride(String provider, String model, Instant effectiveFrom, Rates perMillion) {}
