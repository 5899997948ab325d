package dev.loupe.collector.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.events.DecisionRecord;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** {@code POST /v1/decisions}: a JSON batch of decision contexts, judged item by item like spans. */
@Path("/v1/decisions")
public class DecisionIngestResource {
    private final ObjectMapper mapper;
    private final DecisionNormalizer normalizer;
    private final DecisionPublisher publisher;
    private final CollectorConfig config;
    private final KeyRateLimiter rateLimiter;
    private final Caller caller;
    private final Counter accepted;
    private final Counter rejected;

    public DecisionIngestResource(ObjectMapper mapper, DecisionNormalizer normalizer, DecisionPublisher publisher,
                                  CollectorConfig config, KeyRateLimiter rateLimiter, Caller caller,
                                  MeterRegistry registry) {
        this.mapper = mapper;
        this.normalizer = normalizer;
        this.publisher = publisher;
        this.config = config;
        this.rateLimiter = rateLimiter;
        this.caller = caller;
        this.accepted = registry.counter("loupe.collector.decisions.accepted");
        this.rejected = registry.counter("loupe.collector.decisions.rejected");
    }

    @POST
    @RolesAllowed(Scope.INGEST_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<BatchResult> ingest(JsonNode body) {
        rateLimiter.acquire(caller.keyId());
        String projectId = caller.projectId();
        BatchReader.Batch<DecisionInput> batch = BatchReader.read(mapper, body, "decisions", config.maxBatchItems(),
                DecisionInput.class, DecisionValidator::firstProblem);
        Instant receivedAt = Instant.now();
        List<DecisionRecord> decisions = batch.items().stream()
                .map(item -> normalizer.normalize(projectId, item.value(), receivedAt)).toList();
        return publisher.publish(decisions).map(ignored -> {
            accepted.increment(decisions.size());
            rejected.increment(batch.rejected().size());
            return new BatchResult(decisions.size(), batch.rejected());
        });
    }
}
