package dev.loupe.common.pricing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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

    /** Every entry, newest start date first. */
    public List<ModelPrice> entries() {
        return entries.stream().map(Compiled::price).toList();
    }

    public int size() {
        return entries.size();
    }
}
