package dev.loupe.alerting.api;

import dev.loupe.alerting.alerts.Backtest;
import dev.loupe.alerting.rules.Rule;
import dev.loupe.alerting.rules.RuleStore;
import dev.loupe.alerting.rules.RuleValidator;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.json.EventJson;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * {@code /v1/rules}: a project's alert rules (the shipped inventory included), validation without saving,
 * and backtests of a stored or proposed rule over stored windows.
 */
@Path("/v1/rules")
@Produces(MediaType.APPLICATION_JSON)
public class RuleResource {
    static final Duration MAX_BACKTEST = Duration.ofDays(31);

    @RegisterForReflection
    public record RuleList(List<Rule> rules) {
    }

    private final RuleStore store;
    private final Backtest backtest;
    private final Caller caller;

    public RuleResource(RuleStore store, Backtest backtest, Caller caller) {
        this.store = store;
        this.backtest = backtest;
        this.caller = caller;
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<RuleList> list() {
        return store.all(caller.projectId()).map(RuleList::new);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<Rule> get(@PathParam("id") String id) {
        return store.get(caller.projectId(), id).map(found -> found.orElseThrow(() -> notFound(id)));
    }

    @PUT
    @Path("/{id}")
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> put(@PathParam("id") String id, Rule body) {
        Rule rule = RuleValidator.validated(id, body);
        return store.put(caller.projectId(), rule)
                .map(created -> Response.status(created ? 201 : 200).entity(rule).build());
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Scope.ADMIN_ROLE)
    public Uni<Response> delete(@PathParam("id") String id) {
        return store.delete(caller.projectId(), id).map(deleted -> {
            if (!deleted) {
                throw notFound(id);
            }
            return Response.noContent().build();
        });
    }

    /** Checks a rule and answers it with its defaults filled in; stores nothing. */
    @POST
    @Path("/{id}/validate")
    @RolesAllowed(Scope.READ_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    public Rule validate(@PathParam("id") String id, Rule body) {
        return RuleValidator.validated(id, body);
    }

    /** Replays [from, to) through the stored rule, or through the rule in the body when one is given. */
    @POST
    @Path("/{id}/backtest")
    @RolesAllowed(Scope.READ_ROLE)
    @Consumes(MediaType.WILDCARD)
    public Uni<Backtest.Report> backtest(@PathParam("id") String id, @QueryParam("from") String from,
                                         @QueryParam("to") String to, String text) {
        // the body is optional, so it is read as text: without one, the stored rule is replayed
        Rule body = null;
        if (text != null && !text.isBlank()) {
            try {
                body = EventJson.mapper().readValue(text, Rule.class);
            } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
                throw ProblemException.badRequest(dev.loupe.common.http.JsonPaths.describe(e.getPath()),
                        e.getOriginalMessage());
            } catch (java.io.IOException e) {
                throw ProblemException.badRequest("body", "not JSON: " + e.getMessage());
            }
        }
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (!end.isAfter(start) || Duration.between(start, end).compareTo(MAX_BACKTEST) > 0) {
            throw ProblemException.badRequest("to", "must be after from, at most 31 days later");
        }
        String project = caller.projectId();
        Rule proposed = body;
        Uni<Rule> rule = proposed != null ? Uni.createFrom().item(RuleValidator.validated(id, proposed))
                : store.get(project, id).map(found -> found.orElseThrow(() -> notFound(id)));
        return rule.chain(r -> backtest.run(project, r, start, end));
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest(field, "required: an ISO-8601 instant such as 2026-11-20T00:00:00Z");
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field, "not an ISO-8601 instant: " + value);
        }
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("no rule " + id + " in this project");
    }
}
