package dev.loupe.evals;

import dev.loupe.common.kafka.BatchIntake;
import dev.loupe.common.kafka.DeadLetters;
import dev.loupe.contracts.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** The eval-runner's batch intake, dead-lettering through its {@code dead-letters-out} channel. */
public class IntakeProducer {
    @Produces
    @Singleton
    BatchIntake batchIntake(@Channel(DeadLetters.CHANNEL) MutinyEmitter<String> emitter, MeterRegistry registry) {
        return new BatchIntake(new DeadLetters(emitter, registry, Topics.DECISIONS, Topics.FEEDBACK));
    }
}
