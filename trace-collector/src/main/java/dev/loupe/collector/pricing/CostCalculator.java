package dev.loupe.collector.pricing;

import dev.loupe.common.pricing.ModelPrice;
import dev.loupe.common.pricing.PriceList;
import dev.loupe.common.pricing.PriceOverride;
import dev.loupe.common.pricing.PriceTable;
import dev.loupe.common.pricing.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Computes {@code costUsd} at ingest, so every consumer sees the same cost: the project's override in force at the
 * span's start time ({@link PriceOverrides}), else the built-in table's entry (or {@code loupe.pricing.file}'s). An
 * unpriced model gets no cost (null, never zero) and is counted in {@code loupe_collector_cost_unknown_model_total}
 * (unlabelled: model names are unbounded; metrics-aggregator's {@code GET /v1/prices/unpriced} has them per model).
 */
@ApplicationScoped
public class CostCalculator {
    private static final Logger LOG = Logger.getLogger(CostCalculator.class);

    private final PriceTable shared;
    private final PriceOverrides overrides;
    private final Counter unknownModel;

    @Inject
    public CostCalculator(PricingConfig config, MeterRegistry registry, PriceOverrides overrides) {
        if (config.projectOverridesFile().isPresent()) {
            throw new IllegalStateException("loupe.pricing.project-overrides-file is no longer read: set each"
                    + " project's prices with metrics-aggregator's PUT /v1/prices/{provider}/{model}"
                    + " (trace-collector README, Cost), then remove the property");
        }
        this.shared = config.file()
                .map(f -> PriceList.read(Path.of(f)))
                .orElseGet(PriceList::builtIn)
                .table();
        this.overrides = overrides;
        this.unknownModel = registry.counter("loupe.collector.cost.unknown.model");
        LOG.infof(
                "price table: %d entries%s",
                shared.size(), config.file().map(f -> " from " + f).orElse(""));
    }

    /** Without project overrides (the built-in or configured table only): tools and tests that run no database. */
    public CostCalculator(PricingConfig config, MeterRegistry registry) {
        this(config, registry, null);
    }

    /**
     * The cost in USD, or {@code null} when the model has no price or no tokens were reported. Input tokens include
     * cached and cache-write ones, output tokens include reasoning ones (docs/architecture.md).
     */
    public BigDecimal cost(
            String projectId,
            String provider,
            String model,
            Instant at,
            Long input,
            Long output,
            Long cached,
            Long cacheWrite,
            Long reasoning) {
        if (model == null || (input == null && output == null)) {
            return null;
        }
        Usage usage = new Usage(input, output, cached, cacheWrite, reasoning);
        Optional<PriceOverride> own = overrides == null
                ? Optional.empty()
                : overrides.current(projectId).find(provider, model, at);
        if (own.isPresent()) {
            return new ModelPrice(
                            own.get().model(),
                            own.get().provider(),
                            "",
                            null,
                            own.get().perMillion(),
                            List.of())
                    .cost(usage);
        }
        Optional<ModelPrice> price = shared.priceFor(model, at);
        if (price.isEmpty()) {
            unknownModel.increment();
            return null;
        }
        return price.get().cost(usage);
    }
}
