package dev.loupe.alerting.api;

import dev.loupe.alerting.alerts.AlertPublisher;
import dev.loupe.alerting.alerts.Backtest;
import dev.loupe.alerting.alerts.RuleEngine;
import dev.loupe.alerting.rules.Rule;
import dev.loupe.alerting.rules.RuleStore;
import dev.loupe.alerting.rules.RuleValidator;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.json.EventJson;
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
import java.time.Clock;
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
    /** Windows are kept 8 days (loupe.alerting.window-retention): a longer backtest would replay nothing. */
    static final Duration MAX_BACKTEST = Duration.ofDays(8);

    @RegisterForReflection
    public record RuleList(List<Rule> rules) {}

    private final RuleStore store;
    private final Backtest backtest;
    private final RuleEngine engine;
    private final AlertPublisher publisher;
    private final Caller caller;
    private final Clock clock;

    public RuleResource(
            RuleStore store,
            Backtest backtest,
            RuleEngine engine,
            AlertPublisher publisher,
            Caller caller,
            Clock clock) {
        this.store = store;
        this.backtest = backtest;
        this.engine = engine;
        this.publisher = publisher;
        this.caller = caller;
        this.clock = clock;
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
        String project = caller.projectId();
        return store.put(project, rule)
                .call(created -> created
                        ? Uni.createFrom().voidItem()
                        : engine.retire(project, id, clock.instant(), "the rule was changed")
                                .chain(publisher::publish))
                .map(created ->
                        Response.status(created ? 201 : 200).entity(rule).build());
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Scope.ADMIN_ROLE)
    public Uni<Response> delete(@PathParam("id") String id) {
        String project = caller.projectId();
        return store.delete(project, id)
                .call(deleted -> {
                    if (!deleted) {
                        throw notFound(id);
                    }
                    return engine.retire(project, id, clock.instant(), "the rule was deleted")
                            .chain(publisher::publish);
                })
                .map(deleted -> Response.noContent().build());
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
    public Uni<Backtest.Report> backtest(
            @PathParam("id") String id, @QueryParam("from") String from, @QueryParam("to") String to, String text) {
        // the body is optional, so it is read as text: without one, the stored rule is replayed
        Rule body = null;
        if (text != null && !text.isBlank()) {
            try {
                body = EventJson.mapper().readValue(text, Rule.class);
            } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
                throw ProblemException.badRequest(
                        dev.loupe.common.http.JsonPaths.describe(e.getPath()), e.getOriginalMessage());
            } catch (java.io.IOException e) {
                throw ProblemException.badRequest("body", "not JSON: " + e.getMessage());
            }
        }
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (!end.isAfter(start) || Duration.between(start, end).compareTo(MAX_BACKTEST) > 0) {
            throw ProblemException.badRequest("to", "must be after from, at most 8 days later (the windows kept)");
        }
        String project = caller.projectId();
        Rule proposed = body;
        Uni<Rule> rule = proposed != null
                ? Uni.createFrom().item(RuleValidator.validated(id, proposed))
                : store.get(project, id).map(found -> found.orElseThrow(() -> notFound(id)));
        return rule.chain(r -> backtest.run(project, r, start, end));
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest(field, "required: an ISO-8601 instant such as 2026-11-20T00:00:00Z");
        }
        try {
            Instant instant = Instant.parse(value);
            if (instant.isBefore(Instant.parse("2000-01-01T00:00:00Z"))
                    || instant.isAfter(Instant.parse("2100-01-01T00:00:00Z"))) {
                throw ProblemException.badRequest(field, "between 2000 and 2100");
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field, "not an ISO-8601 instant: " + value);
        }
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("no rule " + id + " in this project");
    }
}
