package dev.loupe.aggregator.dashboard;

import dev.loupe.aggregator.dashboard.Forwarder.Target;
import dev.loupe.aggregator.query.QueryParams;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Alert state for the dashboard, read from the {@code loupe.alerts.v1} events this service stores
 * ({@code telemetry.alert_events}): the latest event of each alert and an alert's history. Acknowledgements
 * are alert-manager's to make, so they are forwarded there with the caller's key.
 */
@Path("/v1/alerts")
public class AlertStateResource {
    private static final int MAX_LIMIT = 1000;
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{16}");
    /** On equal times a later lifecycle state wins: an alert that resolved at the instant it fired is resolved. */
    private static final String STATE_RANK = "case state when 'RESOLVED' then 2 when 'FIRING' then 1 else 0 end";

    private static final String LATEST = """
            select fingerprint, state, changed_at, record::text as record from (
                select distinct on (fingerprint) fingerprint, state, changed_at, record
                from telemetry.alert_events where project_id = $1
                order by fingerprint, changed_at desc, %s desc, received_at desc) latest
            where %s
            order by case state when 'FIRING' then 0 when 'PENDING' then 1 else 2 end, changed_at desc, fingerprint
            limit $2""";
    private static final String HISTORY = "select fingerprint, state, changed_at, record::text as record "
            + "from telemetry.alert_events where project_id = $1 and fingerprint = $2 "
            + "order by changed_at, " + STATE_RANK + ", received_at limit 1000";

    private final Pool pool;
    private final Caller caller;
    private final Forwarder forwarder;

    public AlertStateResource(Pool pool, Caller caller, Forwarder forwarder) {
        this.pool = pool;
        this.caller = caller;
        this.forwarder = forwarder;
    }

    /**
     * The latest state of each alert of the caller's project, firing first, then pending, then resolved (newest
     * change first within each). {@code state}: a comma list of pending, firing, resolved, acknowledged
     * (pending or firing with an acknowledgement); absent means all.
     */
    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<AlertView.Alerts> alerts(@QueryParam("state") String state, @QueryParam("limit") String limitParam) {
        int limit = QueryParams.limit(limitParam, 100, MAX_LIMIT);
        String where = stateCondition(state);
        return pool.preparedQuery(LATEST.formatted(STATE_RANK, where))
                .execute(Tuple.of(caller.projectId(), limit))
                .map(rows -> new AlertView.Alerts(views(rows)));
    }

    /** Every stored state change of one alert, oldest first; 404 when the project has no such alert. */
    @GET
    @Path("/{fingerprint}/history")
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<AlertView.History> history(@PathParam("fingerprint") String fingerprint) {
        checkFingerprint(fingerprint);
        return pool.preparedQuery(HISTORY)
                .execute(Tuple.of(caller.projectId(), fingerprint))
                .map(rows -> {
                    List<AlertView> events = views(rows);
                    if (events.isEmpty()) {
                        throw ProblemException.notFound("no alert " + fingerprint + " in this project");
                    }
                    return new AlertView.History(fingerprint, events);
                });
    }

    /** Forwards {@code {"by": "…"}} to alert-manager, which publishes the acknowledgement as an alert event. */
    @POST
    @Path("/{fingerprint}/ack")
    @RolesAllowed(Scope.ADMIN_ROLE)
    public Uni<Response> acknowledge(
            @PathParam("fingerprint") String fingerprint,
            @HeaderParam("Authorization") String authorization,
            @HeaderParam("Content-Type") String contentType,
            byte[] body) {
        checkFingerprint(fingerprint);
        return forwarder.forward(
                Target.ALERT_MANAGER,
                HttpMethod.POST,
                "/v1/alerts/" + fingerprint + "/ack",
                authorization,
                body == null || body.length == 0 ? "{}".getBytes() : body,
                contentType);
    }

    private static void checkFingerprint(String fingerprint) {
        if (!FINGERPRINT.matcher(fingerprint).matches()) {
            throw ProblemException.badRequest("fingerprint", "must be 16 lower-case hex digits");
        }
    }

    /** A SQL condition built only from fixed fragments: the parameter picks them, it is never spliced in. */
    static String stateCondition(String param) {
        if (param == null || param.isBlank()) {
            return "true";
        }
        Set<String> parts = new LinkedHashSet<>();
        for (String s : param.split(",")) {
            parts.add(
                    switch (s.strip().toLowerCase(Locale.ROOT)) {
                        case "pending" -> "state = 'PENDING'";
                        case "firing" -> "state = 'FIRING'";
                        case "resolved" -> "state = 'RESOLVED'";
                        case "acknowledged" -> "(state <> 'RESOLVED' and record->>'acknowledgedBy' is not null)";
                        default ->
                            throw ProblemException.badRequest(
                                    "state", "a comma list of pending, firing, resolved, acknowledged");
                    });
        }
        return "(" + String.join(" or ", parts) + ")";
    }

    private static List<AlertView> views(RowSet<Row> rows) {
        List<AlertView> out = new ArrayList<>();
        for (Row row : rows) {
            AlertEvent event = EventJson.decode(row.getString("record"), AlertEvent.class);
            out.add(AlertView.of(event, row.getOffsetDateTime("changed_at").toInstant()));
        }
        return out;
    }
}
