package dev.loupe.testing;

import dev.loupe.common.tenancy.ApiKeys;
import dev.loupe.common.tenancy.Scope;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * Creates schema {@code tenancy} from the very migrations metrics-aggregator runs, and seeds
 * projects with keys hashed under a test pepper, so every service can authenticate in its tests.
 */
public final class TestTenancy {
    private TestTenancy() {}

    public static void migrate(TestDatabase db) {
        Flyway.configure()
                .dataSource(db.jdbcUrl(), db.settings().user(), db.settings().password())
                .schemas("tenancy")
                .createSchemas(true)
                .locations("classpath:db/tenancy")
                .load()
                .migrate();
    }

    public static TestProject seed(TestDatabase db, String pepper, String name) {
        String projectId = ApiKeys.newProjectId();
        try (Connection c = db.connect()) {
            try (PreparedStatement s = c.prepareStatement("insert into tenancy.projects (id, name) values (?, ?)")) {
                s.setString(1, projectId);
                s.setString(2, name);
                s.executeUpdate();
            }
            String secret = insertKey(c, pepper, projectId, "secret", List.of(Scope.INGEST, Scope.READ));
            String publicKey = insertKey(c, pepper, projectId, "public", List.of(Scope.FEEDBACK));
            String admin = insertKey(c, pepper, projectId, "admin", List.of(Scope.ADMIN, Scope.READ));
            return new TestProject(projectId, secret, publicKey, admin);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot seed test project " + name, e);
        }
    }

    /** Config properties naming a seeded project's id and keys: {@code loupe.test.<alias>.*}. */
    public static Map<String, String> asConfig(String alias, TestProject project) {
        return Map.of(
                "loupe.test." + alias + ".id",
                project.id(),
                "loupe.test." + alias + ".secret-key",
                project.secretKey(),
                "loupe.test." + alias + ".public-key",
                project.publicKey(),
                "loupe.test." + alias + ".admin-key",
                project.adminKey());
    }

    private static String insertKey(Connection c, String pepper, String projectId, String name, List<Scope> scopes)
            throws SQLException {
        ApiKeys.Generated key = ApiKeys.generate();
        try (PreparedStatement s = c.prepareStatement(
                "insert into tenancy.api_keys (key_id, project_id, name, key_hash, scopes) values (?, ?, ?, ?, ?)")) {
            Array scopeArray =
                    c.createArrayOf("text", scopes.stream().map(Scope::role).toArray());
            s.setString(1, key.keyId());
            s.setString(2, projectId);
            s.setString(3, name);
            s.setString(4, ApiKeys.hash(pepper, key.key()));
            s.setArray(5, scopeArray);
            s.executeUpdate();
        }
        return key.key();
    }
}
