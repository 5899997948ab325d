package dev.loupe.collector.pricing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Effective-dated prices: the newest entry whose pattern matches the model and whose start date has come. */
public final class PriceTable {
    private final List<Compiled> entries;
    /** Model names repeat endlessly: remember each (model, day) answer instead of running every pattern again. */
    private final Cache<String, Optional<ModelPrice>> lookups =
            Caffeine.newBuilder().maximumSize(10_000).build();

    private record Compiled(ModelPrice price, Pattern pattern) {}

    public PriceTable(List<ModelPrice> prices) {
        this.entries = prices.stream()
                .map(p -> new Compiled(p, p.pattern()))
                .sorted(Comparator.comparing((Compiled c) -> c.price().startDate())
                        .reversed())
                .toList();
    }

    public Optional<ModelPrice> priceFor(String model, Instant at) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        LocalDate day = (at == null ? Instant.now() : at).atZone(ZoneOffset.UTC).toLocalDate();
        String name = model.trim();
        return lookups.get(
                name + '\n' + day,
                k -> entries.stream()
                        .filter(c -> !c.price().startDate().isAfter(day)
                                && c.pattern().matcher(name).matches())
                        .map(Compiled::price)
                        .findFirst());
    }

    public int size() {
        return entries.size();
    }

    /**
     * The cost of one call. Input tokens include cached ones and output tokens include reasoning ones
     * (OTel GenAI conventions), so each part is priced once.
     */
    public static BigDecimal cost(
            ModelPrice price, Long inputTokens, Long outputTokens, Long cachedInputTokens, Long reasoningTokens) {
        long input = nz(inputTokens);
        long cached = Math.min(nz(cachedInputTokens), input);
        long output = nz(outputTokens);
        long reasoning = Math.min(nz(reasoningTokens), output);
        BigDecimal total = price.input()
                .multiply(BigDecimal.valueOf(input - cached))
                .add(price.cachedInputOrInput().multiply(BigDecimal.valueOf(cached)))
                .add(price.output().multiply(BigDecimal.valueOf(output - reasoning)))
                .add(price.reasoningOrOutput().multiply(BigDecimal.valueOf(reasoning)));
        return total.setScale(10, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    private static long nz(Long value) {
        return value == null ? 0 : value;
    }
}
