package dev.loupe.evals.intake;

import dev.loupe.common.kafka.BatchIntake;
import dev.loupe.common.kafka.ConsumerFaults;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.evals.results.EvalPublisher;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code loupe.decisions.v1} a poll at a time: the pipeline keeps, samples and evaluates the batch
 * in one transaction, then the results are published; the offsets are committed only after both, so a crash
 * in between redelivers the batch and publishes the same results again. Unreadable records go to the DLQ;
 * anything else that fails holds the batch and is retried until it is lifted ({@link ConsumerFaults}).
 * The next poll waits for this one, which is the back-pressure.
 */
@ApplicationScoped
public class DecisionConsumer {
    public static final String CHANNEL = "decisions-in";

    private final ConsumerFaults faults;
    private final BatchIntake intake;
    private final DecisionPipeline pipeline;
    private final EvalPublisher publisher;

    public DecisionConsumer(
            ConsumerFaults faults, BatchIntake intake, DecisionPipeline pipeline, EvalPublisher publisher) {
        this.faults = faults;
        this.intake = intake;
        this.pipeline = pipeline;
        this.publisher = publisher;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(ConsumerRecords<String, String> batch) {
        return faults.hold(
                CHANNEL,
                () -> intake.take(
                                batch,
                                DecisionRecord.class,
                                d -> d.decisionId() != null && d.occurredAt() != null,
                                (decisions, partitions) -> pipeline.process(decisions))
                        .chain(stored -> publisher.publishUntilAcknowledged(stored.stream()
                                .flatMap(List<EvalResult>::stream)
                                .toList())));
    }
}
