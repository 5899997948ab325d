package dev.loupe.evals.api;

import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.datasets.DatasetModels.CasePage;
import dev.loupe.evals.datasets.DatasetModels.DatasetList;
import dev.loupe.evals.datasets.DatasetModels.Run;
import dev.loupe.evals.datasets.DatasetModels.RunList;
import dev.loupe.evals.datasets.DatasetModels.RunRequest;
import dev.loupe.evals.datasets.Datasets;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;

/**
 * Regression datasets grown from corrections: {@code GET /v1/datasets}, a dataset's cases (paged) and its JSONL
 * export for the app's own CI, and runs that score candidate outputs for the cases ({@code POST …/runs}, with
 * the ingest or admin key, as a CI job would hold) and keep them for comparison.
 */
@Path("/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {
    public static final String NDJSON = "application/x-ndjson";
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final Datasets datasets;
    private final Caller caller;

    public DatasetResource(Datasets datasets, Caller caller) {
        this.datasets = datasets;
        this.caller = caller;
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<DatasetList> list() {
        return datasets.list(caller.projectId()).map(DatasetList::new);
    }

    @GET
    @Path("/{name}/cases")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<CasePage> cases(
            @PathParam("name") String name, @QueryParam("after") String after, @QueryParam("limit") String limit) {
        checkName(name);
        if (after != null && (after.length() > Datasets.MAX_NAME || after.indexOf('\u0000') >= 0)) {
            throw ProblemException.badRequest("after", "a caseId from the previous page's next");
        }
        return datasets.cases(caller.projectId(), name, after, limit(limit, DEFAULT_PAGE));
    }

    /** One case per line, oldest first; the file name is the dataset's, reduced to safe characters. */
    @GET
    @Path("/{name}/export")
    @Produces(NDJSON)
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<Response> export(@PathParam("name") String name) {
        checkName(name);
        return datasets.all(caller.projectId(), name).map(cases -> {
            StringBuilder out = new StringBuilder();
            cases.forEach(c -> out.append(EventJson.encode(c)).append('\n'));
            String file = name.replaceAll("[^A-Za-z0-9._-]", "_");
            return Response.ok(out.toString().getBytes(StandardCharsets.UTF_8), NDJSON)
                    .header("Content-Disposition", "attachment; filename=\"" + file + ".jsonl\"")
                    .header("X-Loupe-Cases", cases.size())
                    .build();
        });
    }

    @POST
    @Path("/{name}/runs")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Scope.INGEST_ROLE, Scope.ADMIN_ROLE})
    public Uni<Response> score(@PathParam("name") String name, RunRequest request) {
        checkName(name);
        return datasets.score(caller.projectId(), name, request, caller.keyId())
                .map(run -> Response.status(Response.Status.CREATED)
                        .entity(run)
                        .header("Location", "/v1/datasets/" + encode(name) + "/runs/" + run.runId())
                        .build());
    }

    @GET
    @Path("/{name}/runs")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<RunList> runs(@PathParam("name") String name, @QueryParam("limit") String limit) {
        checkName(name);
        return datasets.runs(caller.projectId(), name, limit(limit, DEFAULT_PAGE))
                .map(runs -> new RunList(name, runs));
    }

    @GET
    @Path("/{name}/runs/{runId}")
    @RolesAllowed(Scope.READ_ROLE)
    public Uni<Run> run(@PathParam("name") String name, @PathParam("runId") String runId) {
        checkName(name);
        if (runId.length() > Datasets.MAX_NAME || runId.indexOf('\u0000') >= 0) {
            throw ProblemException.badRequest("runId", "is not a run id");
        }
        return datasets.run(caller.projectId(), name, runId);
    }

    private static void checkName(String name) {
        if (name.isBlank() || name.length() > Datasets.MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.badRequest(
                    "name",
                    "a dataset is named after its feature: 1 to " + Datasets.MAX_NAME
                            + " characters, no control characters");
        }
    }

    private static int limit(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest("limit", "an integer from 1 to " + MAX_PAGE);
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
