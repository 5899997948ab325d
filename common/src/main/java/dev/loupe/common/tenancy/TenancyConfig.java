package dev.loupe.common.tenancy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** How services authenticate API keys against schema {@code tenancy}. */
@ConfigMapping(prefix = "loupe.tenancy")
public interface TenancyConfig {
    /** Server-side secret mixed into every stored key hash; the same for every service. Required. */
    String pepper();

    /** Token that may create projects before any admin key exists ({@code Authorization: Bearer <token>}). */
    Optional<String> bootstrapToken();

    /** How long a key lookup (hit or miss) is cached; a revoked key stops working within this time. */
    @WithDefault("30s")
    Duration cacheTtl();

    /**
     * While the database cannot be reached, a key looked up less than this long ago is answered from that lookup
     * (a revocation made just before an outage takes effect when the database is back); {@code 0s} turns it off.
     */
    @WithDefault("10m")
    Duration staleIfError();
}
