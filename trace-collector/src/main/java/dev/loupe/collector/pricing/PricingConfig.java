package dev.loupe.collector.pricing;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Where prices come from ({@code loupe.pricing.*}). */
@ConfigMapping(prefix = "loupe.pricing")
public interface PricingConfig {
    /** A JSON file of prices ({@code {"prices": [ModelPrice…]}}) used instead of the shipped table. */
    Optional<String> file();

    /**
     * A JSON file of per-project prices, {@code {"<projectId>": [ModelPrice…]}}; a project's entries win over
     * the shared table for the models they match (negotiated rates, self-hosted models).
     */
    Optional<String> projectOverridesFile();
}
