package dev.loupe.aggregator.freshness;

import dev.loupe.aggregator.rollup.SpanFacts;
import dev.loupe.common.kafka.ConsumerLag;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How fresh the stored spans are, kept in memory as span batches commit (never a scan of
 * {@code telemetry.spans}): per project the newest Kafka record timestamp (the collector's accept time) of a
 * committed batch that stored spans of it, published as {@code loupe_aggregator_newest_span_age_seconds{project}}
 * against the service's {@link Clock}. With the span group's lag ({@link ConsumerLag}) it tells how far the
 * pipeline is behind: while records wait, the data is as old as the newest one stored.
 *
 * <p>Per replica: each aggregator replica knows the batches of its own partitions, and starts empty.
 */
@ApplicationScoped
public class SpanFreshness {
    private final Clock clock;
    private final MeterRegistry registry;
    private final ConsumerLag consumerLag;
    private final String group;
    private final String topic;
    private final Map<String, AtomicLong> newestByProject = new ConcurrentHashMap<>();
    private final AtomicLong newest = new AtomicLong(Long.MIN_VALUE);

    public SpanFreshness(
            Clock clock,
            MeterRegistry registry,
            ConsumerLag consumerLag,
            @ConfigProperty(name = "mp.messaging.incoming.spans-in.group.id") String group,
            @ConfigProperty(name = "mp.messaging.incoming.spans-in.topic") String topic) {
        this.clock = clock;
        this.registry = registry;
        this.consumerLag = consumerLag;
        this.group = group;
        this.topic = topic;
    }

    /** A span batch committed: {@code inserted} are its newly stored spans. */
    public void committed(ConsumerRecords<?, ?> batch, List<SpanFacts> inserted) {
        if (inserted.isEmpty()) {
            return;
        }
        long at = Long.MIN_VALUE;
        for (ConsumerRecord<?, ?> r : batch) {
            at = Math.max(at, r.timestamp());
        }
        if (at < 0) {
            return;
        }
        long stamp = at;
        newest.accumulateAndGet(stamp, Math::max);
        String last = null;
        for (SpanFacts f : inserted) {
            if (!f.projectId().equals(last)) {
                last = f.projectId();
                newestByProject.computeIfAbsent(last, this::register).accumulateAndGet(stamp, Math::max);
            }
        }
    }

    private AtomicLong register(String project) {
        AtomicLong stamp = new AtomicLong(Long.MIN_VALUE);
        Gauge.builder("loupe.aggregator.newest.span.age", stamp, s -> ageSeconds(s.get()))
                .description("seconds since the newest stored span of the project was accepted")
                .baseUnit("seconds")
                .tag("project", project)
                .register(registry);
        return stamp;
    }

    private double ageSeconds(long stampMillis) {
        if (stampMillis == Long.MIN_VALUE) {
            return Double.NaN;
        }
        return Math.max(0, clock.millis() - stampMillis) / 1000.0;
    }

    /** What {@code GET /v1/freshness} answers for {@code project}. */
    public Freshness of(String project, long staleAfterSeconds) {
        Instant now = clock.instant();
        AtomicLong own = newestByProject.get(project);
        Instant projectNewest = own == null || own.get() == Long.MIN_VALUE ? null : Instant.ofEpochMilli(own.get());
        OptionalLong lag = consumerLag.lag(group, topic);
        Long pending = lag.isPresent() ? lag.getAsLong() : null;
        Long behind;
        if (pending != null && pending == 0) {
            behind = 0L;
        } else {
            // records wait (or the lag is not known yet): the data is as old as the newest span stored
            long stored = newest.get();
            behind = stored == Long.MIN_VALUE ? null : Math.max(0, now.toEpochMilli() - stored) / 1000;
        }
        boolean stale = behind != null && behind > staleAfterSeconds;
        return new Freshness(
                now,
                projectNewest,
                projectNewest == null ? null : Math.max(0, now.toEpochMilli() - projectNewest.toEpochMilli()) / 1000,
                pending,
                behind,
                staleAfterSeconds,
                stale);
    }

    /**
     * {@code behindSeconds}: how far the span pipeline is behind (0 when no record waits, {@code null} when
     * unknown); {@code stale}: behind by more than {@code staleAfterSeconds}, the dashboard then says so.
     */
    @RegisterForReflection
    public record Freshness(
            Instant now,
            Instant newestSpanAcceptedAt,
            Long newestSpanAgeSeconds,
            Long pendingRecords,
            Long behindSeconds,
            long staleAfterSeconds,
            boolean stale) {}
}
