package dev.loupe.alerting.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.alerting.dispatch.Route;
import dev.loupe.alerting.dispatch.Silence;
import dev.loupe.alerting.notify.AlertSnapshot;
import dev.loupe.alerting.notify.Delivery;
import dev.loupe.alerting.notify.GroupNotification;
import dev.loupe.alerting.notify.Notifier;
import dev.loupe.alerting.notify.Notifiers;
import dev.loupe.alerting.notify.ReceiverConfig;
import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.json.EventJson;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Receivers, the route tree and silences of a project: where notifications go, and when they do not. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class RoutingResource {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,63}");
    static final int MAX_MATCHER_VALUE = 256;
    static final Duration MAX_SILENCE = Duration.ofDays(90);

    @RegisterForReflection
    public record ReceiverView(String name, String type) {}

    @RegisterForReflection
    public record ReceiverList(List<ReceiverView> receivers) {}

    @RegisterForReflection
    public record SilenceList(List<Silence> silences) {}

    private final Pool pool;
    private final Notifiers notifiers;
    private final Caller caller;
    private final Clock clock;

    public RoutingResource(Pool pool, Notifiers notifiers, Caller caller, Clock clock) {
        this.pool = pool;
        this.notifiers = notifiers;
        this.caller = caller;
        this.clock = clock;
    }

    /** {@code {"type": "webhook", "url": "…"}}: the type's settings beside {@code type}; secrets are never shown back. */
    @PUT
    @Path("/receivers/{name}")
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ReceiverView> putReceiver(@PathParam("name") String name, JsonNode body) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.badRequest("name", "letters, digits, '.', '_' and '-', 1 to 64");
        }
        if (body == null || !body.isObject() || !body.path("type").isTextual()) {
            throw ProblemException.badRequest("type", "one of " + String.join(", ", notifiers.types()));
        }
        String type = body.get("type").asText();
        String project = caller.projectId();
        Notifier notifier = notifiers
                .find(type)
                .orElseThrow(() -> ProblemException.badRequest(
                        "type", "one of " + String.join(", ", notifiers.types()) + ", was " + type));
        ObjectNode settings = ((ObjectNode) body).deepCopy();
        settings.remove("type");
        // validation resolves host names (the egress policy): off the event loop
        return Uni.createFrom()
                .item(() -> {
                    try {
                        notifier.validate(settings);
                    } catch (ProblemException e) {
                        // the body is flat ({"type", "url"}): name the field as the caller wrote it
                        Problem problem = e.toProblem();
                        String field =
                                problem.field() == null ? null : problem.field().replaceFirst("^settings\\.", "");
                        throw ProblemException.badRequest(field, problem.detail());
                    }
                    return settings;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(valid -> pool.preparedQuery("""
                        insert into alerting.receivers (project_id, name, type, settings, updated_at)
                        values ($1, $2, $3, $4::text::jsonb, $5)
                        on conflict (project_id, name) do update set type = excluded.type, settings = excluded.settings,
                            updated_at = excluded.updated_at""")
                        .execute(Tuple.of(
                                project,
                                name,
                                type,
                                valid.toString(),
                                clock.instant().atOffset(ZoneOffset.UTC))))
                .replaceWith(new ReceiverView(name, type));
    }

    @GET
    @Path("/receivers")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<ReceiverList> receivers() {
        return pool.preparedQuery("select name, type from alerting.receivers where project_id = $1 order by name")
                .execute(Tuple.of(caller.projectId()))
                .map(rows -> {
                    List<ReceiverView> found = new ArrayList<>();
                    rows.forEach(row -> found.add(new ReceiverView(row.getString("name"), row.getString("type"))));
                    return new ReceiverList(found);
                });
    }

    /** Sends a test notification (one firing test alert) to a stored receiver and answers how it went. */
    @POST
    @Path("/receivers/{name}/test")
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.WILDCARD)
    public Uni<Delivery> test(@PathParam("name") String name) {
        String project = caller.projectId();
        return pool.preparedQuery("select type, settings::text as settings from alerting.receivers "
                        + "where project_id = $1 and name = $2")
                .execute(Tuple.of(project, name))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ProblemException.notFound("no receiver " + name + " in this project");
                    }
                    var row = rows.iterator().next();
                    Notifier notifier = notifiers
                            .find(row.getString("type"))
                            .orElseThrow(() -> ProblemException.notFound("receiver " + name + " has an unknown type"));
                    JsonNode settings;
                    try {
                        settings = EventJson.mapper().readTree(row.getString("settings"));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                    java.time.Instant now = clock.instant();
                    java.util.Map<String, String> labels =
                            java.util.Map.of("alertname", "loupe-test", "severity", "info", "owner", caller.keyId());
                    AlertSnapshot alert = new AlertSnapshot(
                            "0000000000000000",
                            "loupe-test",
                            AlertSnapshot.FIRING,
                            labels,
                            java.util.Map.of("summary", "A test notification from Loupe"),
                            now,
                            null,
                            null,
                            "info",
                            caller.keyId(),
                            null,
                            "A test notification from Loupe",
                            null,
                            null,
                            null,
                            null);
                    return notifier.send(
                            new ReceiverConfig(project, name, row.getString("type"), settings),
                            new GroupNotification(
                                    project,
                                    name,
                                    "{alertname=loupe-test}",
                                    java.util.Map.of("alertname", "loupe-test"),
                                    AlertSnapshot.FIRING,
                                    List.of(alert),
                                    null,
                                    GroupNotification.Action.NOTIFY));
                });
    }

    @DELETE
    @Path("/receivers/{name}")
    @RolesAllowed(Scope.ADMIN_ROLE)
    public Uni<Response> deleteReceiver(@PathParam("name") String name) {
        return pool.preparedQuery("delete from alerting.receivers where project_id = $1 and name = $2")
                .execute(Tuple.of(caller.projectId(), name))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.notFound("no receiver " + name + " in this project");
                    }
                    return Response.noContent().build();
                });
    }

    @PUT
    @Path("/routes")
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Route> putRoutes(Route tree) {
        List<Problem.FieldError> errors = new ArrayList<>();
        validate(tree, "", errors, true);
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return pool.preparedQuery("""
                        insert into alerting.routes (project_id, tree, updated_at) values ($1, $2::text::jsonb, $3)
                        on conflict (project_id) do update set tree = excluded.tree, updated_at = excluded.updated_at""")
                .execute(Tuple.of(
                        caller.projectId(),
                        EventJson.encode(tree),
                        clock.instant().atOffset(ZoneOffset.UTC)))
                .replaceWith(tree);
    }

    @GET
    @Path("/routes")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<JsonNode> routes() {
        return pool.preparedQuery("select tree::text from alerting.routes where project_id = $1")
                .execute(Tuple.of(caller.projectId()))
                .map(rows -> {
                    try {
                        return rows.iterator().hasNext()
                                ? EventJson.mapper()
                                        .readTree(rows.iterator().next().getString(0))
                                : EventJson.mapper().valueToTree(Route.DEFAULT);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    @POST
    @Path("/silences")
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> silence(Silence body) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (body == null || body.matchers() == null || body.matchers().isEmpty()) {
            errors.add(new Problem.FieldError("matchers", "at least one {name, value, isRegex, isEqual}"));
        } else {
            for (int i = 0; i < body.matchers().size(); i++) {
                Silence.Matcher m = body.matchers().get(i);
                if (m == null || m.name() == null || m.name().isBlank() || m.value() == null) {
                    errors.add(new Problem.FieldError("matchers[" + i + "]", "name and value are required"));
                } else if (m.value().length() > MAX_MATCHER_VALUE) {
                    // a long regex can backtrack for ages on every dispatch pass
                    errors.add(new Problem.FieldError(
                            "matchers[" + i + "].value", "at most " + MAX_MATCHER_VALUE + " characters"));
                } else if (Boolean.TRUE.equals(m.isRegex())) {
                    try {
                        Pattern.compile(m.value());
                    } catch (PatternSyntaxException e) {
                        errors.add(new Problem.FieldError("matchers[" + i + "].value", e.getDescription()));
                    }
                }
            }
        }
        if (body != null
                && body.startsAt() != null
                && (body.startsAt().isBefore(clock.instant().minus(MAX_SILENCE))
                        || body.startsAt().isAfter(clock.instant().plus(MAX_SILENCE)))) {
            errors.add(new Problem.FieldError("startsAt", "within 90 days of now"));
        }
        if (body != null
                && (body.endsAt() == null
                        || (body.startsAt() != null && !body.endsAt().isAfter(body.startsAt()))
                        || (body.endsAt() != null
                                && body.endsAt().isAfter(clock.instant().plus(MAX_SILENCE))))) {
            errors.add(new Problem.FieldError("endsAt", "after startsAt, at most 90 days ahead"));
        }
        if (body != null && (body.createdBy() == null || body.createdBy().isBlank())) {
            errors.add(new Problem.FieldError("createdBy", "who silences, for the record"));
        }
        if (body != null && (body.comment() == null || body.comment().isBlank())) {
            errors.add(new Problem.FieldError("comment", "why, for whoever wonders where the alerts went"));
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        Silence silence = new Silence(
                UUID.randomUUID().toString(),
                body.matchers(),
                body.startsAt() == null ? clock.instant() : body.startsAt(),
                body.endsAt(),
                body.createdBy(),
                body.comment());
        return pool.preparedQuery("""
                        insert into alerting.silences (id, project_id, matchers, starts_at, ends_at, created_by, comment,
                            created_at) values ($1::uuid, $2, $3::text::jsonb, $4, $5, $6, $7, $8)""")
                .execute(Tuple.from(new Object[] {
                    silence.id(),
                    caller.projectId(),
                    EventJson.encode(silence.matchers()),
                    silence.startsAt().atOffset(ZoneOffset.UTC),
                    silence.endsAt().atOffset(ZoneOffset.UTC),
                    silence.createdBy(),
                    silence.comment(),
                    clock.instant().atOffset(ZoneOffset.UTC)
                }))
                .replaceWith(Response.status(201).entity(silence).build());
    }

    @GET
    @Path("/silences")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<SilenceList> silences() {
        return pool.preparedQuery("""
                        select id::text as id, matchers::text as matchers, starts_at, ends_at, created_by, comment
                        from alerting.silences where project_id = $1 and ends_at > $2 order by starts_at""")
                .execute(Tuple.of(caller.projectId(), clock.instant().atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<Silence> found = new ArrayList<>();
                    rows.forEach(row -> {
                        try {
                            found.add(new Silence(
                                    row.getString("id"),
                                    EventJson.mapper()
                                            .readValue(
                                                    row.getString("matchers"),
                                                    new com.fasterxml.jackson.core.type.TypeReference<
                                                            List<Silence.Matcher>>() {}),
                                    row.getOffsetDateTime("starts_at").toInstant(),
                                    row.getOffsetDateTime("ends_at").toInstant(),
                                    row.getString("created_by"),
                                    row.getString("comment")));
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    return new SilenceList(found);
                });
    }

    /** Expires a silence now. */
    @DELETE
    @Path("/silences/{id}")
    @RolesAllowed(Scope.ADMIN_ROLE)
    public Uni<Response> expire(@PathParam("id") String id) {
        try {
            UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("id", "a silence id (UUID)");
        }
        return pool.preparedQuery("update alerting.silences set ends_at = $3 where project_id = $1 and id = $2::uuid "
                        + "and ends_at > $3")
                .execute(Tuple.of(caller.projectId(), id, clock.instant().atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.notFound("no active silence " + id + " in this project");
                    }
                    return Response.noContent().build();
                });
    }

    private static void validate(Route route, String at, List<Problem.FieldError> errors, boolean root) {
        if (route == null) {
            errors.add(new Problem.FieldError(at.isEmpty() ? "body" : at, "a route"));
            return;
        }
        String prefix = at.isEmpty() ? "" : at + ".";
        if (root && (route.receiver() == null || route.receiver().isBlank())) {
            errors.add(new Problem.FieldError("receiver", "the root route names the receiver everything else goes to"));
        }
        for (var d : new Object[][] {
            {"groupWait", route.groupWait()},
            {"groupInterval", route.groupInterval()},
            {"repeatInterval", route.repeatInterval()}
        }) {
            Duration value = (Duration) d[1];
            if (value != null && (value.isNegative() || value.compareTo(Duration.ofDays(7)) > 0)) {
                errors.add(new Problem.FieldError(prefix + d[0], "from PT0S to P7D"));
            }
        }
        if (route.groupBy() != null) {
            for (int i = 0; i < route.groupBy().size(); i++) {
                String label = route.groupBy().get(i);
                if (label == null || !LABEL.matcher(label).matches()) {
                    errors.add(new Problem.FieldError(
                            prefix + "groupBy[" + i + "]", "a label name, [a-zA-Z_][a-zA-Z0-9_]*"));
                }
            }
        }
        if (route.matchers() != null) {
            route.matchers().forEach((label, value) -> {
                if (label == null || !LABEL.matcher(label).matches() || value == null || value.length() > 256) {
                    errors.add(new Problem.FieldError(
                            prefix + "matchers." + label, "a label name and a value of at most 256 characters"));
                }
            });
        }
        if (route.receiver() != null && !NAME.matcher(route.receiver()).matches()) {
            errors.add(new Problem.FieldError(prefix + "receiver", "a receiver name"));
        }
        if (route.routes() != null) {
            for (int i = 0; i < route.routes().size(); i++) {
                Route child = route.routes().get(i);
                if (child != null
                        && (child.matchers() == null || child.matchers().isEmpty())) {
                    errors.add(new Problem.FieldError(
                            prefix + "routes[" + i + "].matchers", "a child route needs matchers"));
                }
                validate(child, prefix + "routes[" + i + "]", errors, false);
            }
        }
    }
}
