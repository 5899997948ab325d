package dev.loupe.collector.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.collector.CollectorConfig;
import dev.loupe.common.events.SpanRecord;
import dev.loupe.common.http.JsonPaths;
import dev.loupe.common.http.ProblemException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code POST /v1/spans}: a JSON batch of spans, judged item by item, answered after Kafka acknowledged. */
@Path("/v1/spans")
public class SpanIngestResource {
    private final ObjectMapper mapper;
    private final SpanNormalizer normalizer;
    private final SpanPublisher publisher;
    private final CollectorConfig config;
    private final Caller caller;
    private final Counter accepted;
    private final Counter rejected;

    public SpanIngestResource(ObjectMapper mapper, SpanNormalizer normalizer, SpanPublisher publisher,
                              CollectorConfig config, Caller caller, MeterRegistry registry) {
        this.mapper = mapper;
        this.normalizer = normalizer;
        this.publisher = publisher;
        this.config = config;
        this.caller = caller;
        this.accepted = registry.counter("loupe.collector.spans.accepted");
        this.rejected = registry.counter("loupe.collector.spans.rejected");
    }

    @POST
    @RolesAllowed(Scope.INGEST_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<BatchResult> ingest(JsonNode body) {
        JsonNode items = spansOf(body);
        String projectId = caller.projectId();
        Instant receivedAt = Instant.now();
        List<SpanRecord> good = new ArrayList<>();
        List<ItemRejection> bad = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String prefix = "spans[" + i + "]";
            try {
                SpanInput input = mapper.treeToValue(items.get(i), SpanInput.class);
                Optional<String[]> problem = SpanValidator.firstProblem(input);
                if (problem.isPresent()) {
                    bad.add(new ItemRejection(i, prefix + "." + problem.get()[0], problem.get()[1]));
                } else {
                    good.add(normalizer.normalize(projectId, input, receivedAt));
                }
            } catch (JsonMappingException e) {
                String path = JsonPaths.describe(e.getPath());
                bad.add(new ItemRejection(i, path.isEmpty() ? prefix : prefix + "." + path, e.getOriginalMessage()));
            } catch (JsonProcessingException e) {
                bad.add(new ItemRejection(i, prefix, e.getOriginalMessage()));
            }
        }
        return publisher.publish(good).map(ignored -> {
            accepted.increment(good.size());
            rejected.increment(bad.size());
            return new BatchResult(good.size(), bad);
        });
    }

    private JsonNode spansOf(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("body", "expected a JSON object {\"spans\": [...]}");
        }
        JsonNode items = body.get("spans");
        if (items == null || !items.isArray()) {
            throw ProblemException.badRequest("spans", "is required and must be an array of spans");
        }
        if (items.size() > config.maxBatchItems()) {
            throw ProblemException.tooLarge("spans", "a batch holds at most " + config.maxBatchItems()
                    + " spans; this one has " + items.size());
        }
        return items;
    }
}
