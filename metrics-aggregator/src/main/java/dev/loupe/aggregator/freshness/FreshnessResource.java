package dev.loupe.aggregator.freshness;

import dev.loupe.aggregator.dashboard.DashboardConfig;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** How far behind the caller's project's data is; the dashboard shows a notice when it is stale. */
@Path("/v1/freshness")
public class FreshnessResource {
    private final SpanFreshness freshness;
    private final Caller caller;
    private final DashboardConfig config;

    public FreshnessResource(SpanFreshness freshness, Caller caller, DashboardConfig config) {
        this.freshness = freshness;
        this.caller = caller;
        this.config = config;
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "How far behind the stored data is",
            description = "The span pipeline's delay (behindSeconds: 0 when no record waits), the records waiting, "
                    + "and the age of the project's newest stored span; stale when behind by more than "
                    + "loupe.dashboard.stale-after.")
    public SpanFreshness.Freshness freshness() {
        return freshness.of(caller.projectId(), config.staleAfter().toSeconds());
    }
}
