package dev.loupe.collector.ingest;

import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.wire.DecisionInput;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/decisions}: a JSON batch of decision contexts (optionally {@code Content-Encoding: gzip},
 * {@link ContentEncoded}), read as raw bytes (streamed item by item by {@code BatchReader}, no tree), judged item by item like spans.
 */
@Path("/v1/decisions")
@ContentEncoded
public class DecisionIngestResource {
    private final NativeBatchIngest ingest;
    private final DecisionNormalizer normalizer;
    private final DecisionPublisher publisher;

    public DecisionIngestResource(
            NativeBatchIngest ingest, DecisionNormalizer normalizer, DecisionPublisher publisher) {
        this.ingest = ingest;
        this.normalizer = normalizer;
        this.publisher = publisher;
    }

    @POST
    @RolesAllowed(Scope.INGEST_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<BatchResult> ingest(byte[] body) {
        return ingest.ingest(
                body,
                "decisions",
                DecisionInput.class,
                DecisionValidator::firstProblem,
                normalizer::normalize,
                publisher::publish);
    }
}
