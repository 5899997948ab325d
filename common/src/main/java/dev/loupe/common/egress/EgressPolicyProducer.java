package dev.loupe.common.egress;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the configured {@link EgressPolicy} injectable. */
public class EgressPolicyProducer {
    @Produces
    @Singleton
    EgressPolicy egressPolicy(EgressConfig config) {
        return new EgressPolicy(
                config.allow().stream().filter(e -> !e.equalsIgnoreCase("none")).toList());
    }
}
