package dev.loupe.aggregator.tenancy;

import dev.loupe.common.tenancy.ApiKeys;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.common.tenancy.TenancyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;

/** Writes schema {@code tenancy}: projects and hashed keys. Only metrics-aggregator writes it. */
@ApplicationScoped
public class TenancyRepository {
    private final Pool pool;
    private final TenancyConfig config;

    public TenancyRepository(Pool pool, TenancyConfig config) {
        this.pool = pool;
        this.config = config;
    }

    public Uni<ProjectRequests.CreatedProject> createProject(String name) {
        String projectId = ApiKeys.newProjectId();
        return pool.withTransaction(tx -> tx.preparedQuery("insert into tenancy.projects (id, name) values ($1, $2)")
                .execute(Tuple.of(projectId, name))
                .chain(() -> insertKey(tx, projectId, "secret", Set.of(Scope.INGEST, Scope.READ)))
                .chain(secret -> insertKey(tx, projectId, "public", Set.of(Scope.FEEDBACK))
                        .chain(pub -> insertKey(tx, projectId, "admin", Set.of(Scope.ADMIN, Scope.READ))
                                .map(admin -> new ProjectRequests.CreatedProject(
                                        projectId, name, List.of(secret, pub, admin))))));
    }

    public Uni<Boolean> projectExists(String projectId) {
        return pool.preparedQuery("select 1 from tenancy.projects where id = $1")
                .execute(Tuple.of(projectId))
                .map(rows -> rows.size() > 0);
    }

    public Uni<IssuedKey> createKey(String projectId, String name, Set<Scope> scopes) {
        return insertKey(pool, projectId, name, scopes);
    }

    private Uni<IssuedKey> insertKey(SqlClient client, String projectId, String name, Set<Scope> scopes) {
        ApiKeys.Generated key = ApiKeys.generate();
        List<String> roles = scopes.stream().sorted().map(Scope::role).toList();
        return client.preparedQuery("insert into tenancy.api_keys (key_id, project_id, name, key_hash, scopes) "
                        + "values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(
                        key.keyId(),
                        projectId,
                        name,
                        ApiKeys.hash(config.pepper(), key.key()),
                        roles.toArray(new String[0])))
                .map(ignored -> new IssuedKey(key.keyId(), name, roles, key.key()));
    }
}
