package dev.loupe.alerting.api;

import dev.loupe.alerting.alerts.AlertPublisher;
import dev.loupe.alerting.alerts.AlertView;
import dev.loupe.alerting.alerts.RuleEngine;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.AlertState;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.json.EventJson;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code /v1/alerts}: a project's alerts by state, severity and owner; one alert's history; acknowledgement. */
@Path("/v1/alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertResource {
    static final Set<String> STATES = Set.of("pending", "firing", "resolved");
    private static final String COLUMNS = """
            fingerprint, rule_id, state, labels::text as labels, summary, severity, owner, runbook_url, value, threshold,
            baseline, pending_since, firing_since, last_window_end, acknowledged_by, acknowledged_at""";

    @RegisterForReflection
    public record AlertList(List<AlertView> alerts) {}

    @RegisterForReflection
    public record Acknowledgement(String by) {}

    private final Pool pool;
    private final AlertPublisher publisher;
    private final Caller caller;
    private final Clock clock;

    public AlertResource(Pool pool, AlertPublisher publisher, Caller caller, Clock clock) {
        this.pool = pool;
        this.publisher = publisher;
        this.caller = caller;
        this.clock = clock;
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<AlertList> list(
            @QueryParam("state") String state,
            @QueryParam("severity") String severity,
            @QueryParam("owner") String owner) {
        if (state != null && !STATES.contains(state)) {
            throw ProblemException.badRequest("state", "one of pending, firing, resolved");
        }
        return pool.preparedQuery("select " + COLUMNS + """
                         from alerting.alerts where project_id = $1 and state is not null
                          and ($2::text is null or state = $2) and ($3::text is null or severity = $3)
                          and ($4::text is null or owner = $4)
                        order by case state when 'firing' then 0 when 'pending' then 1 else 2 end, updated_at desc
                        limit 1000""")
                .execute(Tuple.of(caller.projectId(), state, severity, owner))
                .map(rows -> {
                    List<AlertView> alerts = new ArrayList<>();
                    rows.forEach(row -> alerts.add(view(row, null)));
                    return new AlertList(alerts);
                });
    }

    @GET
    @Path("/{fingerprint}")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<AlertView> one(@PathParam("fingerprint") String fingerprint) {
        String project = caller.projectId();
        return pool.preparedQuery(
                        "select " + COLUMNS + " from alerting.alerts where project_id = $1 and fingerprint = $2")
                .execute(Tuple.of(project, fingerprint))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ProblemException.notFound("no alert " + fingerprint + " in this project");
                    }
                    Row alert = rows.iterator().next();
                    return pool.preparedQuery("""
                                    select state, window_end, value, threshold, baseline, reason, recorded_at
                                    from alerting.alert_transitions where project_id = $1 and fingerprint = $2
                                    order by seq desc limit 200""")
                            .execute(Tuple.of(project, fingerprint))
                            .map(history -> {
                                List<AlertView.Step> steps = new ArrayList<>();
                                history.forEach(h -> steps.add(new AlertView.Step(
                                        h.getString("state"),
                                        instant(h, "window_end"),
                                        h.getDouble("value"),
                                        h.getDouble("threshold"),
                                        h.getDouble("baseline"),
                                        h.getString("reason"),
                                        instant(h, "recorded_at"))));
                                return view(alert, steps);
                            });
                });
    }

    /** Acknowledges an active alert: its repeats stop until its state changes; PagerDuty hears it. */
    @POST
    @Path("/{fingerprint}/ack")
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.WILDCARD)
    public Uni<AlertView> acknowledge(@PathParam("fingerprint") String fingerprint, String text) {
        // the body is optional ({"by": "alice"}), so it is read as text: no body, no content type, no 415
        Acknowledgement body = null;
        if (text != null && !text.isBlank()) {
            try {
                body = EventJson.mapper().readValue(text, Acknowledgement.class);
            } catch (java.io.IOException e) {
                throw ProblemException.badRequest("body", "{\"by\": \"who acknowledges\"} or no body");
            }
        }
        String by = body == null || body.by() == null || body.by().isBlank() ? "key:" + caller.keyId() : body.by();
        if (by.length() > 128) {
            throw ProblemException.badRequest("by", "at most 128 characters");
        }
        String project = caller.projectId();
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        return pool.preparedQuery(
                        "update alerting.alerts set acknowledged_by = $3, acknowledged_at = $4, updated_at = now()"
                                + " where project_id = $1 and fingerprint = $2 and state in ('pending', 'firing') returning "
                                + COLUMNS)
                .execute(Tuple.of(project, fingerprint, by, now))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ProblemException.notFound(
                                "no pending or firing alert " + fingerprint + " in this project");
                    }
                    AlertView alert = view(rows.iterator().next(), null);
                    AlertEvent event = new AlertEvent(
                            SchemaVersions.CURRENT,
                            project,
                            fingerprint,
                            alert.ruleId(),
                            AlertState.valueOf(alert.state().toUpperCase()),
                            by,
                            now.toInstant(),
                            alert.severity(),
                            alert.owner(),
                            alert.runbookUrl(),
                            alert.summary(),
                            alert.labels(),
                            alert.value(),
                            alert.threshold(),
                            alert.baseline(),
                            alert.pendingSince(),
                            null);
                    return pool.preparedQuery("""
                                    insert into alerting.alert_transitions (project_id, fingerprint, state, window_end,
                                        value, threshold, baseline, reason, event)
                                    values ($1, $2, 'acknowledged', $3, $4, $5, $6, $7, $8::text::jsonb) returning seq""")
                            .execute(Tuple.from(new Object[] {
                                project,
                                fingerprint,
                                now,
                                alert.value(),
                                alert.threshold(),
                                alert.baseline(),
                                "acknowledged by " + by,
                                EventJson.encode(event)
                            }))
                            .chain(seq -> publisher.publish(List.of(
                                    new RuleEngine.Pending(seq.iterator().next().getLong("seq"), event))))
                            .replaceWith(alert);
                });
    }

    private static AlertView view(Row row, List<AlertView.Step> history) {
        Map<String, String> labels = new TreeMap<>();
        new JsonObject(row.getString("labels")).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        return new AlertView(
                row.getString("fingerprint"),
                row.getString("rule_id"),
                row.getString("state"),
                labels,
                row.getString("summary"),
                row.getString("severity"),
                row.getString("owner"),
                row.getString("runbook_url"),
                row.getDouble("value"),
                row.getDouble("threshold"),
                row.getDouble("baseline"),
                instant(row, "pending_since"),
                instant(row, "firing_since"),
                instant(row, "last_window_end"),
                row.getString("acknowledged_by"),
                instant(row, "acknowledged_at"),
                history);
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
