package dev.loupe.collector.ingest;

import dev.loupe.collector.pricing.PriceOverrides;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.wire.SpanInput;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/spans}: a JSON batch of spans (optionally {@code Content-Encoding: gzip}, {@link ContentEncoded}),
 * read as raw bytes (streamed item by item by {@code BatchReader}, no tree), judged item by item, answered after Kafka acknowledged.
 */
@Path("/v1/spans")
@ContentEncoded
public class SpanIngestResource {
    private final NativeBatchIngest ingest;
    private final SpanNormalizer normalizer;
    private final SpanPublisher publisher;
    private final PriceOverrides prices;
    private final Caller caller;

    public SpanIngestResource(
            NativeBatchIngest ingest,
            SpanNormalizer normalizer,
            SpanPublisher publisher,
            PriceOverrides prices,
            Caller caller) {
        this.ingest = ingest;
        this.normalizer = normalizer;
        this.publisher = publisher;
        this.prices = prices;
        this.caller = caller;
    }

    @POST
    @RolesAllowed(Scope.INGEST_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<BatchResult> ingest(byte[] body) {
        // the project's price overrides are loaded (or known fresh) before its spans are priced
        return prices.load(caller.projectId())
                .chain(() -> ingest.ingest(
                        body,
                        "spans",
                        SpanInput.class,
                        SpanValidator::firstProblem,
                        normalizer::normalize,
                        publisher::publish));
    }
}
