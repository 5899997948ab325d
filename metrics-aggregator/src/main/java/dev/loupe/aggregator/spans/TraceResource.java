package dev.loupe.aggregator.spans;

import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reads one trace of the caller's project; another project's trace is indistinguishable from a missing one. */
@Path("/v1/traces")
public class TraceResource {
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final String BY_TRACE =
            SpanColumns.SELECT + " where project_id = $1 and trace_id = $2 order by start_time, span_id";

    private final Pool pool;
    private final Caller caller;

    public TraceResource(Pool pool, Caller caller) {
        this.pool = pool;
        this.caller = caller;
    }

    @GET
    @Path("/{traceId}")
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<TraceView> trace(@PathParam("traceId") String traceId) {
        if (!TRACE_ID.matcher(traceId).matches()) {
            throw ProblemException.badRequest("traceId", "must be 32 lowercase hex characters");
        }
        return pool.preparedQuery(BY_TRACE)
                .execute(Tuple.of(caller.projectId(), traceId))
                .map(rows -> {
                    List<dev.loupe.contracts.events.SpanRecord> spans = new ArrayList<>();
                    for (Row row : rows) {
                        spans.add(SpanColumns.fromRow(row));
                    }
                    if (spans.isEmpty()) {
                        throw ProblemException.notFound("no trace " + traceId + " in this project");
                    }
                    return new TraceView(traceId, spans);
                });
    }
}
