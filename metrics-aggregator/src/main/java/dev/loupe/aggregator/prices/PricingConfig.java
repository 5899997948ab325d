package dev.loupe.aggregator.prices;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * {@code loupe.pricing.file}: the price table the collector was given instead of the built-in one, so that
 * {@code GET /v1/prices} shows what the collector prices with. Set it to the same file on both services.
 */
@ConfigMapping(prefix = "loupe.pricing")
public interface PricingConfig {
    Optional<String> file();
}
