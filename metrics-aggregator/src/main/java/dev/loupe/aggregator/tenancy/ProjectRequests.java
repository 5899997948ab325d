package dev.loupe.aggregator.tenancy;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** Request and response bodies of the project admin API. */
public final class ProjectRequests {
    private ProjectRequests() {}

    /** {@code POST /v1/projects}. */
    @RegisterForReflection
    public record CreateProject(String name) {}

    /** {@code POST /v1/projects/{id}/keys}. */
    @RegisterForReflection
    public record CreateKey(String name, List<String> scopes) {}

    /** A new project with its three starting keys: secret (ingest, read), public (feedback), admin (admin, read). */
    @RegisterForReflection
    public record CreatedProject(String id, String name, List<IssuedKey> keys) {}

    /** {@code GET /v1/whoami}: what the presented key is. */
    @RegisterForReflection
    public record WhoAmI(String projectId, String keyId, List<String> roles) {}
}
