package dev.loupe.evals.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.evals.evaluators.EvaluatorCatalog;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /v1/evaluators}: every evaluator with its version and the JSON Schema of its config. */
@Path("/v1/evaluators")
public class EvaluatorResource {
    @RegisterForReflection
    public record EvaluatorInfo(
            String name,
            String version,
            String description,
            boolean deterministic,
            double defaultThreshold,
            JsonNode configSchema) {}

    @RegisterForReflection
    public record EvaluatorList(List<EvaluatorInfo> evaluators) {}

    private final EvaluatorCatalog catalog;

    public EvaluatorResource(EvaluatorCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public EvaluatorList list() {
        return new EvaluatorList(catalog.all().stream()
                .map(e -> new EvaluatorInfo(
                        e.name(),
                        e.version(),
                        e.description(),
                        e.deterministic(),
                        e.defaultThreshold(),
                        e.configSchema()))
                .toList());
    }
}
