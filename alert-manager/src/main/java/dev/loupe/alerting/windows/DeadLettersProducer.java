package dev.loupe.alerting.windows;

import dev.loupe.common.kafka.DeadLetters;
import dev.loupe.contracts.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** alert-manager's dead letters, sent through its {@code dead-letters-out} channel as every service's are. */
public class DeadLettersProducer {
    @Produces
    @Singleton
    DeadLetters deadLetters(@Channel(DeadLetters.CHANNEL) MutinyEmitter<String> emitter, MeterRegistry registry) {
        return new DeadLetters(emitter, registry, Topics.METRIC_WINDOWS);
    }
}
