package dev.loupe.common.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: DOWN while a consumer has been held by a fault for {@code loupe.consumers.fault-readiness-after}
 * ({@link ConsumerFaults}). A bean of its own because {@code @Readiness} is a qualifier: the consumers inject
 * {@link ConsumerFaults} itself.
 */
@Readiness
@ApplicationScoped
public class ConsumerFaultsCheck implements HealthCheck {
    private final ConsumerFaults faults;

    public ConsumerFaultsCheck(ConsumerFaults faults) {
        this.faults = faults;
    }

    @Override
    public HealthCheckResponse call() {
        return faults.readiness();
    }
}
