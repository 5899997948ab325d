package dev.loupe.aggregator.dashboard;

import dev.loupe.aggregator.dashboard.Forwarder.Target;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Scope;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/**
 * The dashboard's calls that belong to other services, forwarded so the page talks only to its own origin:
 * silences and rules to alert-manager, regression datasets and a feature's evaluation to eval-runner. Scopes are checked here first and
 * again by the service that answers.
 */
@Path("/v1")
public class ForwardedResource {
    private final Forwarder forwarder;

    public ForwardedResource(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    @POST
    @Path("/silences")
    @RolesAllowed(Scope.ADMIN_ROLE)
    public Uni<Response> silence(
            @HeaderParam("Authorization") String authorization,
            @HeaderParam("Content-Type") String contentType,
            byte[] body) {
        return forwarder.forward(
                Target.ALERT_MANAGER,
                HttpMethod.POST,
                "/v1/silences",
                authorization,
                body == null ? new byte[0] : body,
                contentType);
    }

    @GET
    @Path("/rules")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<Response> rules(@HeaderParam("Authorization") String authorization) {
        return forwarder.forward(Target.ALERT_MANAGER, HttpMethod.GET, "/v1/rules", authorization, null, null);
    }

    @GET
    @Path("/datasets")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<Response> datasets(@HeaderParam("Authorization") String authorization) {
        return forwarder.forward(Target.EVAL_RUNNER, HttpMethod.GET, "/v1/datasets", authorization, null, null);
    }

    /** A feature's evaluation settings and what its evaluators did in the last hour (the Quality view). */
    @GET
    @Path("/features/{feature}/evaluation")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<Response> evaluation(
            @PathParam("feature") String feature, @HeaderParam("Authorization") String authorization) {
        if (feature.isBlank() || feature.length() > 256) {
            throw ProblemException.badRequest("feature", "must be 1 to 256 characters");
        }
        return forwarder.forward(
                Target.EVAL_RUNNER,
                HttpMethod.GET,
                "/v1/features/" + Forwarder.segment(feature) + "/evaluation",
                authorization,
                null,
                null);
    }

    @GET
    @Path("/datasets/{name}/export")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<Response> export(@PathParam("name") String name, @HeaderParam("Authorization") String authorization) {
        if (name.isBlank() || name.length() > 256) {
            throw ProblemException.badRequest("name", "must be 1 to 256 characters");
        }
        return forwarder.forward(
                Target.EVAL_RUNNER,
                HttpMethod.GET,
                "/v1/datasets/" + Forwarder.segment(name) + "/export",
                authorization,
                null,
                null);
    }
}
