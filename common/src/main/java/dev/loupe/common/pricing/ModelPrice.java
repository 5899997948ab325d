package dev.loupe.common.pricing;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The price of one model family from one date (UTC) on. {@code match} is a regular expression over the model name
 * as reported (case-insensitive, whole name), so provider prefixes ({@code openai/gpt-4o}), Bedrock ids
 * ({@code us.anthropic.claude-sonnet-4-20250514-v1:0}) and dated snapshots ({@code gpt-4o-2024-08-06}) share an
 * entry. {@code tiers} are long-context prices (see {@link Tier}); {@code provider} names whose price list it is
 * (a key of the table's {@code sources}).
 */
@RegisterForReflection
public record ModelPrice(
        String model, String provider, String match, LocalDate startDate, Rates perMillion, List<Tier> tiers) {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    public ModelPrice {
        tiers = tiers == null ? List.of() : List.copyOf(tiers);
    }

    @JsonIgnore
    public Pattern pattern() {
        return Pattern.compile(match, Pattern.CASE_INSENSITIVE);
    }

    /** The prices that apply to a call with this many input tokens: the highest tier it exceeds, else the base. */
    public Rates ratesFor(long inputTokens) {
        return tiers.stream()
                .filter(t -> inputTokens > t.inputTokensAbove())
                .max(Comparator.comparingLong(Tier::inputTokensAbove))
                .map(Tier::perMillion)
                .orElse(perMillion);
    }

    /**
     * The cost of one call in USD: uncached input × input + cached × cached read + cache write × cache write +
     * (output − reasoning) × output + reasoning × reasoning, at the tier the call's input tokens select. Each
     * token is priced once: cached and cache-write tokens are taken out of input (at most all of it), reasoning
     * tokens out of output.
     */
    public BigDecimal cost(Usage usage) {
        long input = nz(usage.input());
        long cached = Math.min(nz(usage.cachedRead()), input);
        long written = Math.min(nz(usage.cacheWrite()), input - cached);
        long output = nz(usage.output());
        long reasoning = Math.min(nz(usage.reasoning()), output);
        Rates rates = ratesFor(input);
        BigDecimal perMillion = rates.input()
                .multiply(BigDecimal.valueOf(input - cached - written))
                .add(rates.cachedReadOrInput().multiply(BigDecimal.valueOf(cached)))
                .add(rates.cacheWriteOrInput().multiply(BigDecimal.valueOf(written)))
                .add(rates.output().multiply(BigDecimal.valueOf(output - reasoning)))
                .add(rates.reasoningOrOutput().multiply(BigDecimal.valueOf(reasoning)));
        return perMillion.divide(MILLION, 10, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    private static long nz(Long value) {
        return value == null || value < 0 ? 0 : value;
    }
}
