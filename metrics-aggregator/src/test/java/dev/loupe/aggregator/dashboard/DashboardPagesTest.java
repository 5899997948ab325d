package dev.loupe.aggregator.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DashboardPagesTest {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    @Test
    void everyViewUrlAnswersThePageWithStrictHeaders() {
        for (String path : List.of(
                "/",
                "/cost",
                "/latency",
                "/errors",
                "/quality",
                "/feedback",
                "/alerts",
                "/decisions",
                "/decisions/x",
                "/decisions/d-42/",
                "/traces",
                "/traces/4bf92f3577b34da6a3ce929d0e0e4736",
                "/traces?feature=support&status=error&q=refund",
                "/sessions",
                "/sessions/s-1",
                "/users",
                "/users/3f2a",
                "/cost?range=7d&refresh=30s")) {
            given().get(path)
                    .then()
                    .statusCode(200)
                    .contentType(startsWith("text/html"))
                    .header("Content-Security-Policy", equalTo(CSP))
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "no-referrer")
                    .body(containsString("<main id=\"view\""));
        }
    }

    @Test
    void theApiIsNeverAnsweredWithThePage() {
        for (String path : List.of("/v1/nothing-here", "/v1/decisions/x/y/z", "/v1/cost")) {
            given().get(path).then().statusCode(404).contentType("application/problem+json");
        }
        given().get("/decisions/a/b").then().statusCode(404);
        given().get("/traces/a/b").then().statusCode(404);
        given().get("/q/health/live").then().statusCode(200).contentType(startsWith("application/json"));
    }

    @Test
    void scriptsStylesAndTheChartLibraryAreServedWithTheirTypes() {
        assertType("/app/main.js", "javascript");
        assertType("/app/views/decision.js", "javascript");
        assertType("/app/app.css", "text/css");
        assertType("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "javascript");
        assertType("/webjars/uplot/1.6.30/dist/uPlot.min.css", "text/css");
    }

    @Test
    void thePageHasNoInlineScriptOrStyleAndLoadsOnlyItsOwnAssets() throws IOException {
        String html = resource("META-INF/resources/index.html");
        Matcher scripts =
                Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).contains("src=\"/");
            assertThat(scripts.group(2)).as("inline script content").isBlank();
        }
        assertThat(count).isEqualTo(2);
        assertThat(html)
                .doesNotContain("style=")
                .doesNotContain("<style")
                .doesNotContain("javascript:")
                .doesNotContainPattern("\\son[a-z]+=")
                .doesNotContain("http://")
                .doesNotContain("https://");
        // every asset the page names is served
        Matcher refs =
                Pattern.compile("(?:src|href)=\"(/[^\"]+\\.(?:js|css))\"").matcher(html);
        while (refs.find()) {
            given().get(refs.group(1)).then().statusCode(200);
        }
    }

    @Test
    void theScriptsNeverParseApiStringsAsHtml() throws IOException {
        for (String file : scripts()) {
            String js = resource("META-INF/resources/app/" + file);
            assertThat(js)
                    .as(file)
                    .doesNotContain("innerHTML")
                    .doesNotContain("outerHTML")
                    .doesNotContain("insertAdjacentHTML")
                    .doesNotContain("eval(")
                    .doesNotContain("new Function")
                    .doesNotContain("document.write")
                    .doesNotContain("setAttribute('style'");
        }
    }

    /** Every script the page can load (app/**.js), so a new view cannot skip the check. */
    private static List<String> scripts() throws IOException {
        Path app = Path.of("src/main/resources/META-INF/resources/app");
        try (Stream<Path> files = Files.walk(app)) {
            List<String> found = files.filter(p -> p.toString().endsWith(".js"))
                    .map(p -> app.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
            assertThat(found)
                    .contains("main.js", "views/traces.js", "views/trace.js", "views/session.js", "views/user.js");
            return found;
        }
    }

    private static void assertType(String path, String type) {
        Response r = given().get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.contentType()).as(path).contains(type);
        assertThat(r.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
