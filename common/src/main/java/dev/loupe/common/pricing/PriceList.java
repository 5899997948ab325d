package dev.loupe.common.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contracts.json.EventJson;
import io.quarkus.runtime.annotations.RegisterResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A price table file: {@code {"sources": {provider: PriceSource}, "prices": [ModelPrice…]}}, prices per million
 * tokens under {@code perMillion}. The shipped one ({@value #BUILT_IN}) is registered for native images, which
 * hold only registered class-path resources. Files written for the older per-token format (an entry with
 * {@code input}, {@code output}, {@code cachedInput}, {@code reasoning} in USD per token, no {@code perMillion})
 * are still read.
 */
@RegisterResources(globs = PriceList.BUILT_IN)
public record PriceList(Map<String, PriceSource> sources, List<ModelPrice> prices) {
    public static final String BUILT_IN = "pricing/default-prices.json";
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** The table shipped in {@code loupe-common}. */
    public static PriceList builtIn() {
        try (InputStream in = PriceList.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN + " is missing from the classpath");
            }
            return parse(EventJson.mapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A table from a file ({@code loupe.pricing.file}); a file that cannot be read or parsed fails start-up. */
    public static PriceList read(Path file) {
        try {
            return parse(EventJson.mapper().readTree(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read price table " + file + ": " + e.getMessage(), e);
        }
    }

    static PriceList parse(JsonNode root) throws IOException {
        if (root == null || !root.path("prices").isArray()) {
            throw new IOException("a price table is {\"prices\": [...]}");
        }
        Map<String, PriceSource> sources = new LinkedHashMap<>();
        JsonNode declared = root.path("sources");
        for (Map.Entry<String, JsonNode> source : declared.properties()) {
            sources.put(source.getKey(), EventJson.mapper().treeToValue(source.getValue(), PriceSource.class));
        }
        List<ModelPrice> prices = new ArrayList<>();
        for (JsonNode entry : root.get("prices")) {
            ModelPrice price = EventJson.mapper()
                    .treeToValue(entry.has("perMillion") ? entry : fromPerToken((ObjectNode) entry), ModelPrice.class);
            if (price.model() == null || price.match() == null || price.startDate() == null) {
                throw new IOException("every price needs model, match and startDate: " + entry);
            }
            if (price.perMillion() == null
                    || price.perMillion().input() == null
                    || price.perMillion().output() == null) {
                throw new IOException("every price needs input and output prices: " + price.model());
            }
            prices.add(price);
        }
        return new PriceList(Map.copyOf(sources), List.copyOf(prices));
    }

    /** The older format: USD per token in {@code input}, {@code output}, {@code cachedInput}, {@code reasoning}. */
    private static ObjectNode fromPerToken(ObjectNode entry) {
        ObjectNode converted = entry.deepCopy();
        ObjectNode rates = converted.putObject("perMillion");
        perMillion(converted, "input", rates, "input");
        perMillion(converted, "output", rates, "output");
        perMillion(converted, "cachedInput", rates, "cachedRead");
        perMillion(converted, "reasoning", rates, "reasoning");
        return converted;
    }

    private static void perMillion(ObjectNode entry, String from, ObjectNode rates, String to) {
        JsonNode value = entry.remove(from);
        if (value != null && !value.isNull()) {
            rates.put(to, value.decimalValue().multiply(MILLION).stripTrailingZeros());
        }
    }

    /** The table's entries as a lookup. */
    public PriceTable table() {
        return new PriceTable(prices);
    }

    /** The source of one provider's figures, if the file names one. */
    public PriceSource source(String provider) {
        return provider == null ? null : sources.get(provider);
    }
}
