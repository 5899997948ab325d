package dev.loupe.aggregator.spans;

import dev.loupe.aggregator.freshness.SpanFreshness;
import dev.loupe.aggregator.telemetry.AiMetrics;
import dev.loupe.common.kafka.BatchIntake;
import dev.loupe.common.kafka.ConsumerFaults;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.SpanJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code loupe.spans.v1} in batches (one poll at a time) into {@code telemetry.spans} and the span
 * rollups, read from the records' bytes by {@link SpanJson} (no String copy, no maps built for the JSON columns). The batch's offsets are committed only after its transaction has committed; unreadable records
 * go to {@code loupe.spans.v1.dlq}; anything else that fails holds the batch until it is lifted
 * ({@link ConsumerFaults}).
 */
@ApplicationScoped
public class SpanConsumer {
    public static final String CHANNEL = "spans-in";

    private final ConsumerFaults faults;
    private final BatchIntake intake;
    private final SpanBatchWriter writer;
    private final AiMetrics aiMetrics;
    private final CommitFailpoint failpoint;
    private final SpanFreshness freshness;
    private final Counter stored;
    private final Counter duplicates;
    private final DistributionSummary batchSize;
    private final Timer writeTime;

    public SpanConsumer(
            ConsumerFaults faults,
            BatchIntake intake,
            SpanBatchWriter writer,
            AiMetrics aiMetrics,
            CommitFailpoint failpoint,
            SpanFreshness freshness,
            MeterRegistry registry) {
        this.freshness = freshness;
        this.failpoint = failpoint;
        this.faults = faults;
        this.intake = intake;
        this.writer = writer;
        this.aiMetrics = aiMetrics;
        this.stored = registry.counter("loupe.aggregator.spans.stored");
        this.duplicates = registry.counter("loupe.aggregator.spans.duplicates");
        this.batchSize = DistributionSummary.builder("loupe.aggregator.batch.size")
                .baseUnit("records")
                .tag("topic", "loupe.spans.v1")
                .register(registry);
        this.writeTime = Timer.builder("loupe.aggregator.batch.write")
                .tag("topic", "loupe.spans.v1")
                .register(registry);
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(ConsumerRecords<String, byte[]> batch) {
        batchSize.record(batch.count());
        long started = System.nanoTime();
        return faults.hold(
                        CHANNEL,
                        () -> intake.take(
                                batch,
                                SpanRecord.class,
                                SpanJson::decode,
                                s -> s.spanId() != null && s.startTime() != null,
                                writer::write))
                .invoke(outcomes -> {
                    writeTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    for (SpanBatchWriter.Outcome o : outcomes) {
                        stored.increment(o.inserted().size());
                        duplicates.increment(o.offered() - o.inserted().size());
                        aiMetrics.record(o.inserted());
                        freshness.committed(batch, o.inserted());
                    }
                    failpoint.batchCommitted(batch.count());
                })
                .replaceWithVoid();
    }
}
