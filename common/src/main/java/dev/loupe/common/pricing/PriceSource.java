package dev.loupe.common.pricing;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.LocalDate;

/** Where one provider's figures were taken from and as of which day. */
@RegisterForReflection
public record PriceSource(String url, LocalDate asOf, String note) {}
