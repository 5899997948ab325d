package dev.loupe.aggregator.prices;

import dev.loupe.common.pricing.PriceSource;
import dev.loupe.common.pricing.Rates;
import dev.loupe.common.pricing.Tier;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Bodies of the price API. */
public final class PriceViews {
    private PriceViews() {}

    /** A project's override as stored; {@code origin} is always {@code override}. */
    @RegisterForReflection
    public record Override(
            String origin, String provider, String model, Instant effectiveFrom, Rates perMillion, Instant updatedAt) {}

    /** A built-in entry with the source its figures were taken from; {@code origin} is always {@code built-in}. */
    @RegisterForReflection
    public record BuiltIn(
            String origin,
            String provider,
            String model,
            String match,
            LocalDate startDate,
            Rates perMillion,
            List<Tier> tiers,
            PriceSource source) {}

    /** {@code GET /v1/prices}: the caller's project's overrides (which win) and the built-in table. */
    @RegisterForReflection
    public record Table(String projectId, String overrideRule, List<Override> overrides, List<BuiltIn> builtIn) {}

    /** One model that had calls with tokens but no price in {@code [from, to)}. */
    @RegisterForReflection
    public record Unpriced(String provider, String model, long calls, long inputTokens, long outputTokens) {}

    /** {@code GET /v1/prices/unpriced}. */
    @RegisterForReflection
    public record UnpricedModels(Instant from, Instant to, List<Unpriced> models) {}
}
