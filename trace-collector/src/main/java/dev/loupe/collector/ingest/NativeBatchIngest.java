package dev.loupe.collector.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.http.BatchReader;
import dev.loupe.common.http.FieldProblem;
import dev.loupe.common.tenancy.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The shared steps of the native batch endpoints: rate limit, read item by item, normalise, publish, count. */
@ApplicationScoped
public class NativeBatchIngest {
    private final ObjectMapper mapper;
    private final CollectorConfig config;
    private final KeyRateLimiter rateLimiter;
    private final Caller caller;
    private final MeterRegistry registry;

    public NativeBatchIngest(
            ObjectMapper mapper,
            CollectorConfig config,
            KeyRateLimiter rateLimiter,
            Caller caller,
            MeterRegistry registry) {
        this.mapper = mapper;
        this.config = config;
        this.rateLimiter = rateLimiter;
        this.caller = caller;
        this.registry = registry;
    }

    /** Turns one item into its record for a project at a receive time. */
    @FunctionalInterface
    public interface Normalizer<I, R> {
        R normalize(String projectId, I item, Instant receivedAt);
    }

    /**
     * Handles {@code {"<field>": [...]}}, read from the raw (already inflated) body by {@link BatchReader}'s
     * streaming reader, without a tree: items Jackson or {@code validator} refuse are rejected with their
     * path; the rest are normalised and published, and the answer comes once Kafka acknowledged them.
     */
    public <I, R> Uni<BatchResult> ingest(
            byte[] body,
            String field,
            Class<I> type,
            Function<I, Optional<FieldProblem>> validator,
            Normalizer<I, R> normalizer,
            Function<List<R>, Uni<Void>> publisher) {
        rateLimiter.acquire(caller.keyId());
        String projectId = caller.projectId();
        BatchReader.Batch<I> batch = BatchReader.read(mapper, body, field, config.maxBatchItems(), type, validator);
        Instant receivedAt = Instant.now();
        List<R> records = batch.items().stream()
                .map(item -> normalizer.normalize(projectId, item.value(), receivedAt))
                .toList();
        return publisher.apply(records).map(ignored -> {
            registry.counter("loupe.collector." + field + ".accepted").increment(records.size());
            registry.counter("loupe.collector." + field + ".rejected")
                    .increment(batch.rejected().size());
            return new BatchResult(records.size(), batch.rejected());
        });
    }
}
