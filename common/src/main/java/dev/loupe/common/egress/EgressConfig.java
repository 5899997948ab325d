package dev.loupe.common.egress;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

/** Outbound call policy shared by every service that calls out. */
@ConfigMapping(prefix = "loupe.egress")
public interface EgressConfig {
    /** Host names, addresses or CIDR blocks that may be called although private (e.g. {@code 127.0.0.0/8}). */
    @WithDefault("none")
    List<String> allow();
}
