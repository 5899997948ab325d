package dev.loupe.aggregator.spans;

import dev.loupe.aggregator.explore.Range;
import dev.loupe.aggregator.explore.TextQuery;
import dev.loupe.aggregator.explore.TextSearch;
import dev.loupe.aggregator.explore.TraceCursor;
import dev.loupe.aggregator.explore.TraceList;
import dev.loupe.aggregator.query.QueryParams;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Lists the caller's project's traces ({@code GET /v1/traces}: newest first, filtered, keyset-paged) and reads one
 * ({@code GET /v1/traces/{traceId}}); another project's trace is indistinguishable from a missing one.
 */
@Path("/v1/traces")
public class TraceResource {
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final String BY_TRACE =
            SpanColumns.SELECT + " where project_id = $1 and trace_id = $2 order by start_time, span_id";

    private static final int MAX_LIMIT = 200;
    /** The traces list's text filter keeps the traces of the newest this many matching spans and decisions. */
    static final int TEXT_MATCHES = 1000;

    private static final Set<String> STATUSES = Set.of("error", "ok");
    private static final BigDecimal MAX_COST = new BigDecimal(1_000_000);

    private final Pool pool;
    private final Caller caller;
    private final TraceList list;
    private final TextSearch search;
    private final Clock clock;

    public TraceResource(Pool pool, Caller caller, TraceList list, TextSearch search, Clock clock) {
        this.pool = pool;
        this.caller = caller;
        this.list = list;
        this.search = search;
        this.clock = clock;
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<TraceList.Page> list(
            @QueryParam("from") String fromParam,
            @QueryParam("to") String toParam,
            @QueryParam("feature") String feature,
            @QueryParam("model") String model,
            @QueryParam("status") String status,
            @QueryParam("user") String user,
            @QueryParam("session") String session,
            @QueryParam("promptVersion") String promptVersion,
            @QueryParam("errorType") String errorType,
            @QueryParam("minLatencyMs") String minLatency,
            @QueryParam("minCostUsd") String minCost,
            @QueryParam("q") String q,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limitParam) {
        Range range = Range.parse(fromParam, toParam, clock.instant(), Duration.ofDays(1));
        Instant from = range.from();
        Instant to = range.to();
        for (String[] text : new String[][] {
            {"feature", feature},
            {"model", model},
            {"user", user},
            {"session", session},
            {"promptVersion", promptVersion},
            {"errorType", errorType}
        }) {
            Range.text(text[0], text[1]);
        }
        String statusValue = status == null ? null : status.toLowerCase(Locale.ROOT);
        if (statusValue != null && !STATUSES.contains(statusValue)) {
            throw ProblemException.badRequest("status", "must be error or ok");
        }
        Long minLatencyMs = null;
        if (minLatency != null) {
            try {
                minLatencyMs = Long.parseLong(minLatency);
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("minLatencyMs", "must be a whole number of milliseconds");
            }
            if (minLatencyMs < 0) {
                throw ProblemException.badRequest("minLatencyMs", "must not be negative");
            }
        }
        BigDecimal minCostUsd = null;
        if (minCost != null) {
            try {
                minCostUsd = new BigDecimal(minCost);
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("minCostUsd", "must be a number of US dollars such as 0.01");
            }
            // bounded, so that PostgreSQL's numeric never overflows into a 500 (1e999999 parses in Java)
            if (minCostUsd.signum() < 0 || minCostUsd.compareTo(MAX_COST) > 0 || minCostUsd.scale() > 12) {
                throw ProblemException.badRequest(
                        "minCostUsd", "must be a number of US dollars from 0 to 1000000, at most 12 decimals");
            }
        }
        TextQuery text = TextQuery.parse("q", q);
        TraceCursor after = TraceCursor.decode("cursor", cursor);
        int limit = QueryParams.limit(limitParam, 50, MAX_LIMIT);
        Uni<List<String>> traceIds = text == null
                ? Uni.createFrom().nullItem()
                : search.traceIds(caller.projectId(), text, from, to, TEXT_MATCHES);
        Long latency = minLatencyMs;
        BigDecimal cost = minCostUsd;
        return traceIds.chain(ids -> list.page(new TraceList.Filter(
                caller.projectId(),
                from,
                to,
                feature,
                model,
                statusValue,
                user,
                session,
                promptVersion,
                errorType,
                latency,
                cost,
                ids,
                after,
                limit)));
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
