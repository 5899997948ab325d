package dev.loupe.collector.pricing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.json.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Computes {@code costUsd} at ingest, so every consumer sees the same cost. An unknown model gets no cost
 * (null, not zero) and is counted in {@code loupe_collector_cost_unknown_model_total}. The shipped price table is
 * registered for native images, which hold only registered class-path resources.
 */
@ApplicationScoped
@io.quarkus.runtime.annotations.RegisterResources(globs = CostCalculator.DEFAULT_TABLE)
public class CostCalculator {
    static final String DEFAULT_TABLE = "pricing/default-prices.json";
    private static final Logger LOG = Logger.getLogger(CostCalculator.class);

    private final PriceTable shared;
    private final Map<String, PriceTable> perProject;
    private final Counter unknownModel;

    public CostCalculator(PricingConfig config, MeterRegistry registry) {
        this.shared =
                new PriceTable(config.file().map(f -> readPrices(Path.of(f))).orElseGet(CostCalculator::shipped));
        this.perProject = config.projectOverridesFile()
                .map(f -> readOverrides(Path.of(f)))
                .orElse(Map.of());
        this.unknownModel = registry.counter("loupe.collector.cost.unknown.model");
        LOG.infof("price table: %d entries, overrides for %d projects", shared.size(), perProject.size());
    }

    /** The cost, or {@code null} when nothing is known about the model or no tokens were reported. */
    public BigDecimal cost(
            String projectId, String model, Instant at, Long input, Long output, Long cached, Long reasoning) {
        if (model == null || (input == null && output == null)) {
            return null;
        }
        Optional<ModelPrice> price = Optional.ofNullable(perProject.get(projectId))
                .flatMap(t -> t.priceFor(model, at))
                .or(() -> shared.priceFor(model, at));
        if (price.isEmpty()) {
            unknownModel.increment();
            return null;
        }
        return PriceTable.cost(price.get(), input, output, cached, reasoning);
    }

    static List<ModelPrice> shipped() {
        try (InputStream in = CostCalculator.class.getClassLoader().getResourceAsStream(DEFAULT_TABLE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_TABLE + " is missing from the classpath");
            }
            return parsePrices(EventJson.mapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<ModelPrice> readPrices(Path file) {
        try {
            return parsePrices(EventJson.mapper().readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read loupe.pricing.file " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<ModelPrice> parsePrices(JsonNode root) throws IOException {
        return EventJson.mapper()
                .readerFor(new TypeReference<List<ModelPrice>>() {})
                .readValue(root.get("prices"));
    }

    private static Map<String, PriceTable> readOverrides(Path file) {
        try {
            Map<String, List<ModelPrice>> raw = EventJson.mapper()
                    .readValue(Files.readAllBytes(file), new TypeReference<Map<String, List<ModelPrice>>>() {});
            Map<String, PriceTable> tables = new HashMap<>();
            raw.forEach((project, prices) -> tables.put(project, new PriceTable(prices)));
            return tables;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read loupe.pricing.project-overrides-file " + file + ": " + e.getMessage(), e);
        }
    }
}
