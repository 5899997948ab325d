package dev.loupe.aggregator.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The runbooks of docs/runbooks, served by the dashboard at /runbooks/ without a key. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RunbookRoutesTest {
    /** The one copy of the runbooks, in the repository; the jar's are copied from it at build time. */
    static final Path RUNBOOKS = Path.of("..", "docs", "runbooks");

    static List<Path> runbooks() throws IOException {
        try (Stream<Path> files = Files.list(RUNBOOKS)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".md"))
                    .filter(f -> !f.getFileName().toString().equals("README.md"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void everyRunbookInTheRepositoryIsServedAsEscapedTextWithoutAKey() throws IOException {
        List<Path> runbooks = runbooks();
        assertThat(runbooks).hasSizeGreaterThanOrEqualTo(10);
        for (Path file : runbooks) {
            String name = file.getFileName().toString();
            String markdown = Files.readString(file, StandardCharsets.UTF_8);
            for (String path : List.of("/runbooks/" + name, "/runbooks/" + name.substring(0, name.length() - 3))) {
                Response page = given().get(path);
                assertThat(page.statusCode()).as(path).isEqualTo(200);
                assertThat(page.contentType()).as(path).startsWith("text/html");
                assertThat(page.header("Content-Security-Policy")).as(path).isEqualTo(DashboardRoutes.CSP);
                // the page is the file, escaped: every line of it is there
                String body = page.asString();
                markdown.lines()
                        .filter(l -> !l.contains("]("))
                        .limit(40)
                        .forEach(line -> assertThat(body).as(path).contains(RunbookRoutes.escape(line)));
                assertThat(body).as(path).doesNotContain("<script");
            }
        }
    }

    @Test
    void theIndexLinksEveryRunbook() throws IOException {
        String index = given().get("/runbooks/")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/html"))
                .extract()
                .asString();
        assertThat(given().get("/runbooks").then().statusCode(200).extract().asString())
                .isEqualTo(index);
        for (Path file : runbooks()) {
            String name = file.getFileName().toString();
            assertThat(index).contains("<a href=\"/runbooks/" + name + "\">");
        }
    }

    @Test
    void anUnknownRunbookIs404NamingName() {
        for (String name : List.of("no-such-runbook.md", "no-such-runbook", "readme.md")) {
            given().get("/runbooks/" + name)
                    .then()
                    .statusCode(404)
                    .contentType("application/problem+json")
                    .body("field", equalTo("name"));
        }
    }

    @Test
    void aPathOutsideTheRunbooksIsRefused() {
        // encoded: the name reaches the route as ../application.properties and is refused for its shape
        for (String name : List.of(
                "..%2Fapplication.properties",
                "..%2F..%2Fpom.xml",
                "%2E%2E%2Fapplication.properties",
                "README.md",
                "Daily-Spend-High.md",
                "a.properties",
                ".md",
                "%00.md")) {
            Response response = given().urlEncodingEnabled(false).get("/runbooks/" + name);
            assertThat(response.statusCode()).as(name).isEqualTo(400);
            assertThat(response.contentType()).as(name).startsWith("application/problem+json");
            assertThat(response.jsonPath().getString("field")).as(name).isEqualTo("name");
        }
        // unencoded: the path is normalised before routing and reaches nothing that is served
        for (String path : List.of(
                "/runbooks/../application.properties",
                "/runbooks/../../pom.xml",
                "/runbooks/x/../../application.properties",
                "/runbooks/a/b.md")) {
            Response response = given().urlEncodingEnabled(false).get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.asString()).as(path).doesNotContain("quarkus.").doesNotContain("<project");
        }
    }

    @Test
    void markupInARunbookIsText() {
        String page = RunbookRoutes.render("t<i>", """
                # <script>alert(1)</script>
                [ok](daily-spend-high.md) [bad](javascript:alert(1)) [other](https://example.com/x.md)
                "quoted" & 'single' <img src=x onerror=alert(1)>
                """);
        assertThat(page)
                .doesNotContain("<script>")
                .doesNotContain("<img")
                .doesNotContain("<i>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("<a href=\"/runbooks/daily-spend-high.md\">ok</a>")
                .contains("[bad](javascript:alert(1))")
                .contains("[other](https://example.com/x.md)")
                .contains("&quot;quoted&quot; &amp; &#39;single&#39; &lt;img src=x onerror=alert(1)&gt;")
                .contains("<title>t&lt;i&gt;</title>");
        assertThat(page.split("<a ", -1))
                .as("anchors: the two of the nav and the runbook link")
                .hasSize(4);
    }
}
