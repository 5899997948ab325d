package dev.loupe.common.pricing;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.math.BigDecimal;

/**
 * Prices in USD per million tokens. {@code input} and {@code output} are required; a missing {@code cachedRead} or
 * {@code cacheWrite} is charged at {@code input}, a missing {@code reasoning} at {@code output} (what providers that
 * do not price them separately charge).
 */
@RegisterForReflection
public record Rates(
        BigDecimal input, BigDecimal output, BigDecimal cachedRead, BigDecimal cacheWrite, BigDecimal reasoning) {

    public BigDecimal cachedReadOrInput() {
        return cachedRead == null ? input : cachedRead;
    }

    public BigDecimal cacheWriteOrInput() {
        return cacheWrite == null ? input : cacheWrite;
    }

    public BigDecimal reasoningOrOutput() {
        return reasoning == null ? output : reasoning;
    }
}
