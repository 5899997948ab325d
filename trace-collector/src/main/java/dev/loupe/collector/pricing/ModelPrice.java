package dev.loupe.collector.pricing;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.regex.Pattern;

/**
 * The price of one model family from one date on, in USD per token. {@code match} is a regular
 * expression over the model name as reported (case-insensitive, whole name), so provider prefixes
 * ({@code openai/gpt-4o}) and dated snapshots ({@code gpt-4o-2024-08-06}) can share an entry.
 * {@code cachedInput} and {@code reasoning} default to the input and output prices.
 */
@RegisterForReflection
public record ModelPrice(
        String model,
        String match,
        LocalDate startDate,
        BigDecimal input,
        BigDecimal output,
        BigDecimal cachedInput,
        BigDecimal reasoning) {

    @JsonIgnore
    public Pattern pattern() {
        return Pattern.compile(match, Pattern.CASE_INSENSITIVE);
    }

    public BigDecimal cachedInputOrInput() {
        return cachedInput == null ? input : cachedInput;
    }

    public BigDecimal reasoningOrOutput() {
        return reasoning == null ? output : reasoning;
    }
}
