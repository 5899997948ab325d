package dev.loupe.aggregator.spans;

import dev.loupe.common.events.SpanRecord;
import dev.loupe.common.json.EventJson;
import dev.loupe.common.kafka.StoreRetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code loupe.spans.v1} into {@code telemetry.spans}. An unreadable record fails at once and goes
 * to the dead-letter topic; a database failure is retried, so the offset is committed only after the row is
 * stored and nothing acknowledged by the collector is lost.
 */
@ApplicationScoped
public class SpanConsumer {
    public static final String CHANNEL = "spans-in";

    private final SpanWriter writer;
    private final Counter stored;
    private final Counter duplicates;

    public SpanConsumer(SpanWriter writer, MeterRegistry registry) {
        this.writer = writer;
        this.stored = registry.counter("loupe.aggregator.spans.stored");
        this.duplicates = registry.counter("loupe.aggregator.spans.duplicates");
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        SpanRecord span = EventJson.decode(payload, SpanRecord.class);
        return StoreRetry.untilStored(writer.write(span), "span " + span.spanId())
                .invoke(isNew -> (isNew ? stored : duplicates).increment())
                .replaceWithVoid();
    }
}
