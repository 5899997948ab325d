package dev.loupe.aggregator.spans;

import dev.loupe.common.events.SpanRecord;
import dev.loupe.common.json.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code loupe.spans.v1} into {@code telemetry.spans}. An unreadable record fails at once and goes
 * to the dead-letter topic; a database failure is retried, so the offset is committed only after the row is
 * stored and nothing acknowledged by the collector is lost.
 */
@ApplicationScoped
public class SpanConsumer {
    public static final String CHANNEL = "spans-in";
    private static final Logger LOG = Logger.getLogger(SpanConsumer.class);

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
        return writer.write(span)
                .onFailure().invoke(e -> LOG.warnf("storing span %s failed, will retry: %s", span.spanId(), e.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .invoke(isNew -> (isNew ? stored : duplicates).increment())
                .replaceWithVoid();
    }
}
