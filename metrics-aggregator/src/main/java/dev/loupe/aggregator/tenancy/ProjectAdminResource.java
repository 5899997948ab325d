package dev.loupe.aggregator.tenancy;

import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tenancy admin API: projects are created with the bootstrap token; keys by the bootstrap token or
 * by an admin key of the same project. A new key's secret is in the answer and nowhere else.
 */
@Path("/v1")
public class ProjectAdminResource {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}");

    private final TenancyRepository repository;
    private final SecurityIdentity identity;
    private final Caller caller;

    public ProjectAdminResource(TenancyRepository repository, SecurityIdentity identity, Caller caller) {
        this.repository = repository;
        this.identity = identity;
        this.caller = caller;
    }

    @POST
    @Path("/projects")
    @RolesAllowed(Scope.BOOTSTRAP_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> createProject(ProjectRequests.CreateProject body) {
        String name = validName(body == null ? null : body.name());
        return repository
                .createProject(name)
                .map(created -> Response.status(201).entity(created).build());
    }

    @POST
    @Path("/projects/{projectId}/keys")
    @RolesAllowed({Scope.BOOTSTRAP_ROLE, Scope.ADMIN_ROLE})
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> createKey(@PathParam("projectId") String projectId, ProjectRequests.CreateKey body) {
        if (!identity.hasRole(Scope.BOOTSTRAP_ROLE) && !caller.projectId().equals(projectId)) {
            throw new ForbiddenException("an admin key manages only its own project");
        }
        String name = validName(body == null ? null : body.name());
        Set<Scope> scopes = validScopes(body.scopes());
        return repository
                .projectExists(projectId)
                .chain(exists -> {
                    if (!exists) {
                        return Uni.createFrom().failure(ProblemException.notFound("no project " + projectId));
                    }
                    return repository.createKey(projectId, name, scopes);
                })
                .map(key -> Response.status(201).entity(key).build());
    }

    @GET
    @Path("/whoami")
    @RolesAllowed({Scope.INGEST_ROLE, Scope.FEEDBACK_ROLE, Scope.READ_ROLE, Scope.ADMIN_ROLE})
    @Produces(MediaType.APPLICATION_JSON)
    public ProjectRequests.WhoAmI whoami() {
        return new ProjectRequests.WhoAmI(
                caller.projectId(),
                caller.keyId(),
                identity.getRoles().stream().sorted().toList());
    }

    private static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw ProblemException.badRequest("name", "is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw ProblemException.badRequest(
                    "name", "1-64 letters, digits, space, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    private static Set<Scope> validScopes(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw ProblemException.badRequest("scopes", "at least one of ingest, feedback, read, admin");
        }
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        List<Problem.FieldError> errors = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Scope scope = Scope.parse(names.get(i));
            if (scope == null) {
                errors.add(new Problem.FieldError(
                        "scopes[" + i + "]",
                        "unknown scope '" + names.get(i) + "'; one of ingest, feedback, read, admin"));
            } else {
                scopes.add(scope);
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return scopes;
    }
}
