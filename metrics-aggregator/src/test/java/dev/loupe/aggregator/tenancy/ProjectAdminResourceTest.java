package dev.loupe.aggregator.tenancy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ProjectAdminResourceTest {
    static final String BOOTSTRAP = "test-bootstrap-token";

    @ConfigProperty(name = "loupe.test.project-a.admin-key")
    String adminKeyA;

    @ConfigProperty(name = "loupe.test.project-b.id")
    String projectB;

    @Test
    void bootstrapTokenCreatesAProjectWhoseKeysWork() {
        ProjectRequests.CreatedProject created = given().auth()
                .oauth2(BOOTSTRAP)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "shop-assistant"))
                .when()
                .post("/v1/projects")
                .then()
                .statusCode(201)
                .extract()
                .as(ProjectRequests.CreatedProject.class);

        assertThat(created.keys()).extracting(IssuedKey::name).containsExactly("secret", "public", "admin");
        IssuedKey secret = created.keys().get(0);
        given().auth()
                .oauth2(secret.key())
                .when()
                .get("/v1/whoami")
                .then()
                .statusCode(200)
                .body("projectId", equalTo(created.id()))
                .body("roles", hasItems("ingest", "read"));
        IssuedKey admin = created.keys().get(2);
        given().auth()
                .oauth2(admin.key())
                .when()
                .get("/v1/whoami")
                .then()
                .statusCode(200)
                .body("roles", hasItems("admin", "read"));
    }

    @Test
    void adminKeyAddsAKeyToItsOwnProjectOnly() {
        String projectA = given().auth()
                .oauth2(adminKeyA)
                .when()
                .get("/v1/whoami")
                .then()
                .extract()
                .path("projectId");
        IssuedKey key = given().auth()
                .oauth2(adminKeyA)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "scopes", List.of("INGEST")))
                .when()
                .post("/v1/projects/" + projectA + "/keys")
                .then()
                .statusCode(201)
                .extract()
                .as(IssuedKey.class);
        assertThat(key.scopes()).containsExactly("ingest");
        given().auth()
                .oauth2(key.key())
                .when()
                .get("/v1/whoami")
                .then()
                .statusCode(200)
                .body("projectId", equalTo(projectA));

        given().auth()
                .oauth2(adminKeyA)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "sneaky", "scopes", List.of("admin")))
                .when()
                .post("/v1/projects/" + projectB + "/keys")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void adminKeyCannotCreateProjects() {
        given().auth()
                .oauth2(adminKeyA)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "x"))
                .when()
                .post("/v1/projects")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void unknownScopeIsAProblemNamingIt() {
        given().auth()
                .oauth2(BOOTSTRAP)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "k", "scopes", List.of("read", "root")))
                .when()
                .post("/v1/projects/" + projectB + "/keys")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("scopes[1]"));
    }

    @Test
    void missingNameIsAProblemNamingIt() {
        given().auth()
                .oauth2(BOOTSTRAP)
                .contentType(ContentType.JSON)
                .body(Map.of())
                .when()
                .post("/v1/projects")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("name"));
    }

    @Test
    void wrongBootstrapTokenIsUnauthorized() {
        given().auth()
                .oauth2("not-the-token")
                .contentType(ContentType.JSON)
                .body(Map.of("name", "x"))
                .when()
                .post("/v1/projects")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
    }
}
