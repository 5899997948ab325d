package dev.loupe.common.pricing;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One project's overrides and how a span finds its own. An override applies to a span when
 * <ul>
 *   <li>the span's model equals the override's model, case-insensitively, or equals it followed by a date suffix
 *       ({@code -2024-08-06}, {@code -20241022}, {@code @20241022}); an override for the exact name wins over one
 *       that matches only without the suffix;
 *   <li>the span's provider equals the override's provider, case-insensitively, or the span names no provider;
 *   <li>the span started at or after {@code effectiveFrom}; of several, the latest such {@code effectiveFrom} wins.
 * </ul>
 */
public final class ProjectPrices {
    public static final ProjectPrices NONE = new ProjectPrices(List.of());
    private static final Pattern DATE_SUFFIX = Pattern.compile("(-\\d{4}-\\d{2}-\\d{2}|-\\d{8}|@\\d{8})$");

    private final List<PriceOverride> overrides;

    public ProjectPrices(List<PriceOverride> overrides) {
        this.overrides = overrides.stream()
                .sorted(Comparator.comparing(PriceOverride::effectiveFrom).reversed())
                .toList();
    }

    public boolean isEmpty() {
        return overrides.isEmpty();
    }

    public List<PriceOverride> overrides() {
        return overrides;
    }

    /** The model name without a trailing date suffix, lower-cased: what an undated override is compared with. */
    public static String undated(String model) {
        return DATE_SUFFIX.matcher(model.trim().toLowerCase(Locale.ROOT)).replaceFirst("");
    }

    /** The override in force for this span, if any. */
    public Optional<PriceOverride> find(String provider, String model, Instant startTime) {
        if (overrides.isEmpty() || model == null || model.isBlank() || startTime == null) {
            return Optional.empty();
        }
        String exact = model.trim().toLowerCase(Locale.ROOT);
        String undated = undated(model);
        List<PriceOverride> candidates = overrides.stream()
                .filter(o -> !o.effectiveFrom().isAfter(startTime))
                .filter(o ->
                        provider == null || provider.isBlank() || o.provider().equalsIgnoreCase(provider.trim()))
                .toList();
        return candidates.stream()
                .filter(o -> o.model().equalsIgnoreCase(exact))
                .findFirst()
                .or(() -> candidates.stream()
                        .filter(o -> o.model().equalsIgnoreCase(undated))
                        .findFirst());
    }
}
