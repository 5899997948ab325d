package dev.loupe.collector.pricing;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Where prices come from ({@code loupe.pricing.*}). */
@ConfigMapping(prefix = "loupe.pricing")
public interface PricingConfig {
    /**
     * A JSON price table ({@code {"sources": {...}, "prices": [...]}}, the shipped table's format; the older
     * per-token format is still read) used instead of the built-in one.
     */
    Optional<String> file();

    /**
     * Retired: per-project prices are set with metrics-aggregator's {@code PUT /v1/prices/{provider}/{model}}. Set,
     * it fails start-up with a message saying so, rather than being silently ignored.
     */
    Optional<String> projectOverridesFile();
}
