package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser (the system's headless Chromium through chromedriver) against the whole stack:
 * a project of its own is seeded through the public APIs (spans and a decision through the collector, an
 * evaluation setting, a correction through feedback-service, an alert rule and a window that fires it), then every
 * view must draw the series and points that data implies, the decision page must show its retrieval results and
 * spans, markup in a stored output must stay text, the ack button must change the alert's state, and a missing or
 * wrong key must say so. Screenshots of each view land in {@code e2e/target/screenshots} (or
 * {@code -Dloupe.screenshots.dir}).
 */
@ExtendWith(LoupeStack.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
    static final String RAG = "support-rag";
    static final String SUMMARIZER = "summarizer";
    /** The feature the alert is about: no span of it, so no window the aggregator closes competes with the test's. */
    static final String INCIDENT = "checkout-agent";
    /** Evaluated by json_valid alone, and sends free text only: an evaluator that never applies (issue 26). */
    static final String SILENT = "ticket-triage";

    static final String XSS = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";

    private final LoupeStack stack;
    private TestProject project;
    private WebDriver browser;
    private String base;
    private String decisionId;
    private String ruleId;
    private String decisionTrace;
    /** The minutes (UTC) the spans were put in: every 1-minute chart has one point per minute with data. */
    private final List<Instant> minutes = new ArrayList<>();

    DashboardIT(LoupeStack stack) {
        this.stack = stack;
    }

    @BeforeAll
    void seedAndOpenTheBrowser() {
        project = stack.newProject("dashboard-" + Long.toHexString(System.nanoTime()));
        base = stack.url(LoupeStack.AGGREGATOR);
        seed();
        browser = chromium();
    }

    @AfterAll
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    // ---- the seed: two features on two models in three minutes of the last quarter hour ----

    private void seed() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        for (int ago : new int[] {12, 8, 4}) {
            minutes.add(now.minus(Duration.ofMinutes(ago)));
        }
        // evaluation of every support-rag decision, and a static rule whose threshold the quality chart draws
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body("""
                        {"samplingRate": 1, "evaluators": [{"name": "refusal"},
                          {"name": "contains_all", "config": {"values": ["30 days"]}}]}""")
                .put(stack.url(LoupeStack.EVALS) + "/v1/features/" + RAG + "/evaluation")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body("""
                        {"metric": "eval_score_mean", "groupBy": ["feature", "evaluator"], "filter": {"feature": "%s"},
                         "condition": {"type": "static", "direction": "below", "value": 0.7}, "for": "PT0S",
                         "severity": "warning", "owner": "team-ml-quality",
                         "runbookUrl": "https://runbooks.example/eval.md"}""".formatted(RAG))
                .put(stack.url(LoupeStack.ALERTS) + "/v1/rules/dash-quality")
                .then()
                .statusCode(201);

        List<TestSpans> spans = new ArrayList<>();
        for (Instant minute : minutes) {
            spans.add(llm(RAG, "gpt-4o", "s-rag", minute.plusSeconds(5), 900));
            spans.add(llm(SUMMARIZER, "claude-3-5-sonnet", "s-sum", minute.plusSeconds(10), 2400));
        }
        spans.add(llm(RAG, "gpt-4o", "s-rag", minutes.get(1).plusSeconds(20), 300)
                .with("status", "ERROR")
                .with("errorType", "rate_limit")
                .with("completion", null));
        spans.add(llm(SUMMARIZER, "claude-3-5-sonnet", "s-sum", minutes.get(2).plusSeconds(20), 30_000)
                .with("status", "ERROR")
                .with("errorType", "timeout")
                .with("completion", null));
        spans.add(llm(RAG, "gpt-4o", "s-rag", minutes.get(0).plusSeconds(30), 700)
                .with("parseError", "Unexpected token 'S' at 0"));
        spans.add(tool("search_orders", minutes.get(0).plusSeconds(40), "SUCCESS"));
        spans.add(tool("search_orders", minutes.get(2).plusSeconds(40), "ERROR"));

        // the decision to explore: a trace of retrieval → LLM → tool, and an output full of markup
        decisionId = "dash-d-" + Long.toHexString(System.nanoTime());
        String traceId = TestSpans.randomHex(32);
        decisionTrace = traceId;
        Instant at = minutes.get(2).plusSeconds(50);
        TestSpans root = llm(RAG, "gpt-4o", "s-rag", at.plusMillis(200), 800)
                .with("traceId", traceId)
                .with("decisionId", decisionId)
                .with("name", "answer " + XSS)
                // the chat as instrumentation stores it: a JSON array of messages, markup in a user's turn
                .with(
                        "prompt",
                        "[{\"role\": \"system\", \"content\": \"Answer from the returns policy.\"},"
                                + " {\"role\": \"user\", \"content\": \"Zanzibar order: how long <b>do</b> I have? "
                                + XSS.replace("\"", "\\\"") + "\"}]")
                .with("completion", "Within sixty days.")
                .with("metadata", Map.of("tier", "pro", "note", XSS))
                // the model that answered (dated) and the one asked for: one model key, both shown
                .with("model", "gpt-4o-2024-08-06")
                .with("requestModel", "gpt-4o");
        spans.add(TestSpans.llm()
                .with("traceId", traceId)
                .with("parentSpanId", root.spanId())
                .with("kind", "RETRIEVAL")
                .with("name", "vector search")
                .with("model", null)
                .with("provider", null)
                .with("feature", RAG)
                .with("startTime", at.toString())
                .with("endTime", at.plusMillis(150).toString())
                .with("inputTokens", null)
                .with("outputTokens", null)
                .with("decisionId", decisionId)
                .with("sessionId", "s-rag"));
        spans.add(root);
        spans.add(tool("lookup_policy", at.plusMillis(1100), "SUCCESS")
                .with("traceId", traceId)
                .with("parentSpanId", root.spanId())
                .with("decisionId", decisionId)
                .with("toolArguments", "{\"policy\": \"<img src=x onerror=window.__xss=3>\"}")
                .with("toolResult", "<script>window.__xss=4</script>Returns are accepted within 30 days."));
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(TestSpans.batch(spans.toArray(TestSpans[]::new)))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                .then()
                .statusCode(200)
                .body("accepted", org.hamcrest.Matchers.equalTo(spans.size()));
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisions",
                        List.of(Map.ofEntries(
                                Map.entry("decisionId", decisionId),
                                Map.entry("traceId", traceId),
                                Map.entry("feature", RAG),
                                Map.entry("model", "gpt-4o"),
                                Map.entry("promptTemplate", "support-answer"),
                                Map.entry("promptVersion", "v7"),
                                Map.entry("input", "How long <b>do</b> I have?"),
                                Map.entry("output", "Within 60 days. " + XSS),
                                Map.entry("occurredAt", at.plusSeconds(1).toString()),
                                Map.entry(
                                        "retrievalResults",
                                        List.of(
                                                Map.of("docId", "policy-returns", "score", 0.91),
                                                Map.of("docId", "faq-shipping", "score", 0.42)))))))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/decisions")
                .then()
                .statusCode(200)
                .body("accepted", org.hamcrest.Matchers.equalTo(1));
        // the decision's sampled evaluation, then a user's correction
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    var view = given().auth().oauth2(project.secretKey()).get(base + "/v1/decisions/" + decisionId);
                    return view.statusCode() == 200
                            && view.jsonPath().getList("evals").size() == 2;
                });
        given().auth()
                .oauth2(project.publicKey())
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", decisionId, "signal", "edited", "correction", "Within 30 days."))
                .post(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback")
                .then()
                .statusCode(202);
        // json_valid alone on free-text answers: sampled, never judged; the Quality view must say why
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body("{\"samplingRate\": 1, \"evaluators\": [{\"name\": \"json_valid\"}]}")
                .put(stack.url(LoupeStack.EVALS) + "/v1/features/" + SILENT + "/evaluation")
                .then()
                .statusCode(200);
        List<Map<String, Object>> freeText = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            freeText.add(Map.of(
                    "decisionId",
                    "dash-silent-" + i + "-" + Long.toHexString(System.nanoTime()),
                    "feature",
                    SILENT,
                    "model",
                    "gpt-4o-mini",
                    "input",
                    "Route this ticket",
                    "output",
                    "Billing, probably.",
                    "occurredAt",
                    Instant.now().toString()));
        }
        given().auth()
                .oauth2(project.secretKey())
                .contentType(ContentType.JSON)
                .body(Map.of("decisions", freeText))
                .post(stack.url(LoupeStack.COLLECTOR) + "/v1/decisions")
                .then()
                .statusCode(200)
                .body("accepted", org.hamcrest.Matchers.equalTo(3));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> given().auth()
                                        .oauth2(project.secretKey())
                                        .get(stack.url(LoupeStack.EVALS) + "/v1/features/" + SILENT + "/evaluation")
                                        .jsonPath()
                                        .getInt("activity.sampled")
                                == 3
                        && given().auth()
                                        .oauth2(project.secretKey())
                                        .queryParam(
                                                "from",
                                                Instant.now()
                                                        .minus(Duration.ofHours(1))
                                                        .toString())
                                        .queryParam("to", Instant.now().toString())
                                        .queryParam("groupBy", "feature")
                                        .queryParam("feature", SILENT)
                                        .get(base + "/v1/metrics/decision_count")
                                        .jsonPath()
                                        .getList("series")
                                        .size()
                                == 1);
        // an alert: a rule and a window that breaks it, as the aggregator would publish it
        ruleId = "dash-errors";
        given().auth()
                .oauth2(project.adminKey())
                .contentType(ContentType.JSON)
                .body("""
                        {"metric": "error_rate", "groupBy": ["feature"], "filter": {"feature": "%s"},
                         "condition": {"type": "static", "direction": "above", "value": 0.2}, "for": "PT0S",
                         "severity": "critical", "owner": "team-dash", "runbookUrl": "https://runbooks.example/errors.md"}""".formatted(INCIDENT))
                .put(stack.url(LoupeStack.ALERTS) + "/v1/rules/" + ruleId)
                .then()
                .statusCode(201);
        window(minutes.get(1), 0.5);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> given().auth()
                                .oauth2(project.secretKey())
                                .queryParam("state", "firing")
                                .get(base + "/v1/alerts")
                                .jsonPath()
                                .getList("alerts.findAll { it.ruleId == '" + ruleId + "' }")
                                .size()
                        == 1);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> given().auth()
                                .oauth2(project.secretKey())
                                .get(base + "/v1/decisions/" + decisionId)
                                .jsonPath()
                                .getList("feedback")
                                .size()
                        == 1);
    }

    private static TestSpans llm(String feature, String model, String session, Instant start, long millis) {
        return TestSpans.llm()
                .with("feature", feature)
                .with("model", model)
                .with("name", "chat " + model)
                .with("provider", model.startsWith("claude") ? "anthropic" : "openai")
                .with("sessionId", session)
                .with("startTime", start.toString())
                .with("endTime", start.plusMillis(millis).toString())
                .with("decisionId", null);
    }

    private static TestSpans tool(String name, Instant start, String status) {
        return TestSpans.llm()
                .with("kind", "TOOL")
                .with("name", "tool " + name)
                .with("toolName", name)
                .with("model", null)
                .with("provider", null)
                .with("feature", RAG)
                .with("sessionId", "s-rag")
                .with("inputTokens", null)
                .with("outputTokens", null)
                .with("status", status)
                .with("errorType", "ERROR".equals(status) ? "tool_failed" : null)
                .with("startTime", start.toString())
                .with("endTime", start.plusMillis(120).toString())
                .with("decisionId", null);
    }

    private void window(Instant start, double value) {
        MetricWindow w = new MetricWindow(
                SchemaVersions.CURRENT,
                project.id(),
                "error_rate",
                Map.of("feature", INCIDENT),
                start,
                start.plus(Duration.ofMinutes(1)),
                value,
                500,
                null,
                0);
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.METRIC_WINDOWS, project.id() + "|error_rate|" + INCIDENT, EventJson.encode(w)))
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the tests ----

    @Test
    @Order(1)
    void aMissingOrWrongKeyIsAskedForWithAClearMessage() {
        browser.get(base + "/");
        WebElement dialog = visible(By.id("key-dialog"));
        assertThat(dialog.getText()).contains("read");
        // a modal <dialog> that has the focus, and that Escape does not dismiss: the page needs a key
        assertThat(dialog.getTagName()).isEqualTo("dialog");
        assertThat(
                        ((JavascriptExecutor) browser)
                                .executeScript(
                                        "return document.activeElement.id + ' ' + document.getElementById('key-dialog').matches(':modal')"))
                .isEqualTo("key-input true");
        browser.findElement(By.id("key-input")).sendKeys(org.openqa.selenium.Keys.ESCAPE);
        assertThat(dialog.isDisplayed()).isTrue();
        browser.findElement(By.id("key-input")).sendKeys("lk_0000000000000000_" + "0".repeat(48));
        browser.findElement(By.id("key-submit")).click();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.findElement(By.id("key-error")).getText(), text -> text.contains("not accepted"));
        assertThat(browser.findElement(By.id("key-dialog")).isDisplayed()).isTrue();
        // a key without the read scope (the browser-safe feedback key) is refused too, saying why
        WebElement input = browser.findElement(By.id("key-input"));
        input.clear();
        input.sendKeys(project.publicKey());
        browser.findElement(By.id("key-submit")).click();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.findElement(By.id("key-error")).getText(), text -> text.contains("no read scope"));
        screenshot("key-prompt");
    }

    @Test
    @Order(2)
    void everyViewDrawsTheSeriesAndPointsTheSeedImplies() {
        signIn();
        int n = minutes.size();
        open("/?range=1h", "overview");
        assertThat(chart("requests"))
                .as("requests sparkline")
                .containsEntry("series", 1)
                .containsEntry("points", n);
        assertThat(tile("requests")).isEqualTo(String.valueOf(2 * n + 3 + 1));
        assertThat(chart("eval-pass-rate")).containsEntry("series", 1).containsEntry("points", 1);
        assertThat(tile("firing-alerts")).isEqualTo("1");
        screenshot("overview");

        open("/cost?range=1h", "cost");
        assertThat(chart("cost-by-feature")).containsEntry("series", 2).containsEntry("points", n);
        // retrieval and tool spans have no model: their (zero) cost is a group of its own
        assertThat(chart("cost-by-model"))
                .as("gpt-4o, claude-3-5-sonnet, (none)")
                .containsEntry("series", 3)
                .containsEntry("points", n);
        long days = minutes.stream()
                .map(m -> m.truncatedTo(ChronoUnit.DAYS))
                .distinct()
                .count();
        assertThat(chart("cost-per-day")).containsEntry("series", 2).containsEntry("points", (int) days);
        assertThat(rows("top-sessions")).hasSize(2);
        // every seeded model has a price: the unpriced-models table is drawn, empty
        assertThat(browser.findElements(By.cssSelector("table[data-table='unpriced-models']")))
                .hasSize(1);
        assertThat(rows("unpriced-models")).isEmpty();
        // every chart can be read as a table: a row per time, a column per series
        WebElement asTable = browser.findElement(By.cssSelector("details[data-table-for='cost-by-feature']"));
        asTable.findElement(By.tagName("summary")).click();
        assertThat(asTable.findElements(By.cssSelector("tbody tr"))).hasSize(n);
        assertThat(asTable.findElements(By.cssSelector("thead th")))
                .extracting(WebElement::getText)
                .containsExactlyInAnyOrder("Time", RAG, SUMMARIZER);
        asTable.findElement(By.tagName("summary")).click();
        screenshot("cost");

        open("/latency?range=1h", "latency");
        assertThat(chart("latency-by-model")).containsEntry("series", 3 * 2).containsEntry("points", n);
        assertThat(chart("latency-by-feature")).containsEntry("series", 3 * 2).containsEntry("points", n);
        screenshot("latency");

        open("/errors?range=1h", "errors");
        assertThat(chart("errors-by-type"))
                .as("rate_limit, timeout")
                .containsEntry("series", 2)
                .containsEntry("points", 2);
        assertThat(chart("parse-failures")).containsEntry("series", 1).containsEntry("points", 1);
        assertThat(chart("tool-errors"))
                .as("lookup_policy, search_orders")
                .containsEntry("series", 2)
                .containsEntry("points", 2);
        screenshot("errors");

        open("/quality?range=1h", "quality");
        assertThat(chart("eval-score"))
                .as("refusal and contains_all on support-rag")
                .containsEntry("series", 2)
                .containsEntry("points", 1)
                .containsEntry("overlays", 1);
        By silent = By.cssSelector("table[data-table='eval-activity'] tr[data-feature='" + SILENT + "']");
        assertThat(field(silent, "sampled")).isEqualTo("3");
        assertThat(field(silent, "judged")).isEqualTo("0");
        assertThat(field(silent, "evaluators"))
                .startsWith("json_valid: 0 judged · 3 not applicable")
                .contains("structured output");
        By rag = By.cssSelector("table[data-table='eval-activity'] tr[data-feature='" + RAG + "']");
        assertThat(field(rag, "judged")).isEqualTo("1");
        assertThat(browser.findElements(By.cssSelector("ul[data-list='eval-notices'] li")))
                .extracting(WebElement::getText)
                .singleElement()
                .asString()
                .startsWith(SILENT + ": json_valid judged none of the 3 decisions sampled in the last hour");
        screenshot("quality");

        open("/feedback?range=1h", "feedback");
        // support-rag with its correction, and ticket-triage's decisions at a rate of 0
        assertThat(chart("correction-rate")).containsEntry("series", 2).containsEntry("points", 2);
        assertThat(rows("corrections")).hasSize(1);
        assertThat(rows("corrections")
                        .get(0)
                        .findElement(By.cssSelector("a[href='/decisions/" + decisionId + "']"))
                        .isDisplayed())
                .isTrue();
        screenshot("feedback");

        open("/decisions?range=1h&feature=" + RAG, "decisions");
        assertThat(rows("decisions")).hasSize(1);
        screenshot("decisions");
    }

    @Test
    @Order(3)
    void theDecisionPageShowsItsContextAndTraceAndMarkupStaysText() {
        signIn();
        open("/decisions/" + decisionId, "decision");
        List<WebElement> retrieval = rows("retrieval");
        assertThat(retrieval).hasSize(2);
        assertThat(retrieval.get(0).getText()).contains("policy-returns").contains("0.91");
        assertThat(browser.findElements(By.cssSelector("#waterfall .span[data-span-id]")))
                .hasSize(3);
        assertThat(browser.findElements(By.cssSelector("#waterfall .span.kind-retrieval")))
                .hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#waterfall .span.kind-tool")))
                .hasSize(1);
        // the tool call's arguments and result, as text, below its bar
        List<WebElement> calls = browser.findElements(By.cssSelector("#waterfall .tool-call[data-span-id]"));
        assertThat(calls).hasSize(1);
        calls.get(0).findElement(By.tagName("summary")).click();
        assertThat(calls.get(0).findElement(By.cssSelector(".tool-name")).getText())
                .isEqualTo("lookup_policy");
        assertThat(calls.get(0)
                        .findElement(By.cssSelector("pre.tool-arguments"))
                        .getText())
                .contains("\"policy\": \"<img src=x onerror=window.__xss=3>\"");
        assertThat(calls.get(0).findElement(By.cssSelector("pre.tool-result")).getText())
                .isEqualTo("<script>window.__xss=4</script>Returns are accepted within 30 days.");
        // the request model beside the model that answered, where they differ
        assertThat(browser.findElements(By.cssSelector("[data-table='spans'] .request-model")))
                .singleElement()
                .extracting(WebElement::getText)
                .asString()
                .contains("gpt-4o");
        assertThat(browser.findElement(By.id("decision-model")).getText()).isEqualTo("gpt-4o");
        assertThat(browser.findElement(By.id("decision-prompt-template")).getText())
                .isEqualTo("support-answer");
        assertThat(browser.findElement(By.id("decision-input")).getText()).contains("<b>do</b>");
        WebElement output = browser.findElement(By.id("decision-output"));
        assertThat(output.getText()).contains("<script>window.__xss=2</script>").contains("onerror=");
        assertThat(output.findElements(By.tagName("img"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("main#view script, main#view img")))
                .isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.__xss === undefined"))
                .isEqualTo(true);
        assertThat(rows("evals")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(rows("feedback")).hasSize(1);
        assertThat(browser.findElement(By.cssSelector("a[data-similar='prompt-version']"))
                        .getAttribute("href"))
                .contains("promptVersion=v7");
        assertThat(browser.findElement(By.cssSelector("a[data-similar='documents']"))
                        .getAttribute("href"))
                .contains("docId=policy-returns");
        screenshot("decision");
    }

    @Test
    @Order(4)
    void theTracesViewKeepsItsFiltersInTheUrlAndATraceShowsItsTree() {
        signIn();
        // a filter round trip: typed into the form, carried by the URL, shown again from the URL
        open("/traces?range=1h", "traces");
        WebElement form = browser.findElement(By.id("trace-filters"));
        form.findElement(By.name("feature")).sendKeys(SUMMARIZER);
        form.findElement(By.cssSelector("select[name='status'] option[value='error']"))
                .click();
        form.findElement(By.cssSelector("button[type='submit']")).click();
        awaitReady("traces");
        assertThat(browser.getCurrentUrl()).contains("feature=" + SUMMARIZER).contains("status=error");
        assertThat(rows("traces"))
                .singleElement()
                .extracting(WebElement::getText)
                .asString()
                .contains("timeout");
        browser.navigate().refresh();
        awaitReady("traces");
        assertThat(browser.findElement(By.name("feature")).getAttribute("value"))
                .isEqualTo(SUMMARIZER);
        assertThat(browser.findElement(By.name("status")).getAttribute("value")).isEqualTo("error");
        assertThat(rows("traces")).hasSize(1);
        assertThat(browser.findElement(By.cssSelector("nav a[aria-current='page']"))
                        .getText())
                .isEqualTo("Traces");

        // text: the matching passage with its word marked, markup left as text
        open("/traces?range=1h&q=zanzibar", "traces");
        assertThat(rows("traces"))
                .singleElement()
                .extracting(r -> r.getAttribute("data-trace-id"))
                .isEqualTo(decisionTrace);
        assertThat(browser.findElements(By.cssSelector("table[data-table='search-hits'] mark")))
                .extracting(WebElement::getText)
                .contains("Zanzibar");
        screenshot("traces");

        // the trace: a tree that collapses, and the chosen span's details
        rows("traces")
                .get(0)
                .findElement(By.cssSelector("td[data-field='root'] a"))
                .click();
        awaitReady("trace");
        List<WebElement> tree = browser.findElements(By.cssSelector("#span-tree .tree-row"));
        assertThat(tree).hasSize(3);
        WebElement toggle = browser.findElement(By.cssSelector("#span-tree button.toggle"));
        assertThat(toggle.getAttribute("aria-expanded")).isEqualTo("true");
        toggle.click();
        assertThat(toggle.getAttribute("aria-expanded")).isEqualTo("false");
        assertThat(browser.findElements(By.cssSelector("#span-tree .tree-row")).stream()
                        .filter(WebElement::isDisplayed)
                        .count())
                .as("the root alone")
                .isEqualTo(1);
        toggle.sendKeys(org.openqa.selenium.Keys.ENTER);
        assertThat(toggle.getAttribute("aria-expanded")).isEqualTo("true");
        // the root is shown first: its prompt as chat turns, the markup in the user's turn as text
        WebElement detail = browser.findElement(By.id("span-detail"));
        assertThat(detail.findElements(By.cssSelector("ol.chat li")))
                .extracting(li -> li.getAttribute("data-role"))
                .containsExactly("system", "user");
        assertThat(detail.findElement(By.cssSelector("ol.chat li[data-role='user'] .content"))
                        .getText())
                .contains("<b>do</b>")
                .contains("<script>window.__xss=2</script>");
        assertThat(detail.findElement(By.cssSelector("pre.attributes")).getText())
                .as("attribute values as JSON text")
                .contains("<script>window.__xss=2</script>");
        // the tool span: arguments and result as text
        browser.findElement(By.cssSelector("#span-tree .tree-row.kind-tool .span-button"))
                .click();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !browser.findElements(By.cssSelector("#span-detail pre.tool-arguments"))
                        .isEmpty());
        assertThat(browser.findElement(By.cssSelector("#span-detail pre.tool-arguments"))
                        .getText())
                .contains("\"policy\": \"<img src=x onerror=window.__xss=3>\"");
        assertThat(browser.findElement(By.cssSelector("#span-detail pre.tool-result"))
                        .getText())
                .isEqualTo("<script>window.__xss=4</script>Returns are accepted within 30 days.");
        assertThat(browser.getCurrentUrl()).contains("span=");
        assertThat(browser.findElements(By.cssSelector("main#view script, main#view img")))
                .isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.__xss === undefined"))
                .isEqualTo(true);
        assertThat(browser.findElement(By.cssSelector("a[data-similar='prompt-version']"))
                        .getAttribute("href"))
                .contains("promptVersion=v7");
        assertThat(rows("trace-evals")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(rows("trace-feedback")).hasSize(1);
        screenshot("trace");
    }

    @Test
    @Order(5)
    void aSessionIsReplayedInOrderAndAUserShowsTheirSpend() {
        signIn();
        open("/sessions?range=1h", "sessions");
        assertThat(rows("sessions"))
                .extracting(r -> r.getAttribute("data-session-id"))
                .contains("s-rag", "s-sum");
        screenshot("sessions");

        var replay = given().auth()
                .oauth2(project.secretKey())
                .get(base + "/v1/sessions/s-rag")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        List<String> times = replay.getList("turns.startTime");
        assertThat(times)
                .as("the API answers in order")
                .isSortedAccordingTo(java.util.Comparator.comparing(Instant::parse));
        open("/sessions/s-rag?range=1h", "session");
        List<WebElement> exchanges = browser.findElements(By.cssSelector("#conversation li.exchange"));
        assertThat(exchanges)
                .extracting(e -> e.getAttribute("data-trace-id"))
                .as("the page shows the turns in that order")
                .containsExactlyElementsOf(replay.getList("turns.traceId"));
        WebElement answered =
                browser.findElement(By.cssSelector("#conversation li.exchange[data-trace-id='" + decisionTrace + "']"));
        assertThat(answered.findElement(By.cssSelector("[data-field='input']")).getText())
                .isEqualTo("How long <b>do</b> I have?");
        assertThat(answered.findElements(By.cssSelector(".badge[data-badge='eval']")))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(answered.findElements(By.cssSelector(".badge[data-badge='feedback']")))
                .extracting(WebElement::getText)
                .containsExactly("edited");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.__xss === undefined"))
                .isEqualTo(true);
        screenshot("session");

        open("/users?range=1h", "users");
        assertThat(rows("users")).isNotEmpty();
        rows("users")
                .get(0)
                .findElement(By.cssSelector("td[data-field='user'] a"))
                .click();
        awaitReady("user");
        assertThat(browser.findElement(By.cssSelector("[data-field='spend']")).getText())
                .startsWith("$");
        assertThat(rows("user-sessions")).isNotEmpty();
        screenshot("user");
    }

    @Test
    @Order(6)
    void theAckButtonAsksForAnAdminKeyAndChangesTheAlertsState() {
        signIn();
        String fingerprint = given().auth()
                .oauth2(project.secretKey())
                .queryParam("state", "firing")
                .get(base + "/v1/alerts")
                .jsonPath()
                .getString("alerts.find { it.ruleId == '" + ruleId + "' }.fingerprint");
        open("/alerts", "alerts");
        By row = By.cssSelector("tr[data-fingerprint='" + fingerprint + "']");
        assertThat(field(row, "state")).isEqualTo("firing");
        assertThat(field(row, "owner")).isEqualTo("team-dash");
        assertThat(field(row, "severity")).isEqualTo("critical");
        assertThat(field(row, "acknowledgedBy")).isEmpty();
        screenshot("alerts");

        browser.findElement(row)
                .findElement(By.cssSelector("button[data-action='ack']"))
                .click();
        visible(By.id("admin-key-dialog"));
        browser.findElement(By.id("admin-key-input")).sendKeys(project.adminKey());
        browser.findElement(By.id("admin-key-submit")).click();

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(2))
                .until(
                        () -> {
                            browser.navigate().refresh();
                            awaitReady("alerts");
                            return field(row, "acknowledgedBy");
                        },
                        by -> !by.isEmpty());
        assertThat(browser.findElement(row)
                        .findElement(By.cssSelector("button[data-action='ack']"))
                        .isEnabled())
                .isFalse();
        JsonPath alert = given().auth()
                .oauth2(project.secretKey())
                .queryParam("state", "acknowledged")
                .get(base + "/v1/alerts")
                .jsonPath();
        assertThat(alert.getList("alerts.fingerprint", String.class)).contains(fingerprint);
    }

    // ---- browser helpers ----

    /** The system's headless Chromium through chromedriver ({@code -Dloupe.chromium}, {@code -Dloupe.chromedriver}). */
    static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("loupe.chromium", "/usr/bin/chromium"));
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1440,1000",
                "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("loupe.chromedriver", "/usr/bin/chromedriver")))
                .build();
        return new ChromeDriver(service, options);
    }

    private void signIn() {
        browser.get(base + "/");
        Object stored = ((JavascriptExecutor) browser)
                .executeScript(
                        "sessionStorage.setItem('loupe.apiKey', arguments[0]); sessionStorage.removeItem('loupe.adminKey');"
                                + " return sessionStorage.getItem('loupe.apiKey');",
                        project.secretKey());
        assertThat(stored).isEqualTo(project.secretKey());
    }

    private void open(String path, String view) {
        browser.get(base + path);
        awaitReady(view);
    }

    private void awaitReady(String view) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    WebElement main = browser.findElement(By.id("view"));
                    String state = main.getAttribute("data-state");
                    if ("error".equals(state)) {
                        throw new AssertionError(view + " view failed: "
                                + browser.findElement(By.id("error-banner")).getText());
                    }
                    return view.equals(main.getAttribute("data-view")) && "ready".equals(state);
                });
    }

    private WebElement visible(By by) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(by), WebElement::isDisplayed);
    }

    private Map<String, Integer> chart(String id) {
        WebElement chart = browser.findElement(By.cssSelector(".chart[data-chart='" + id + "']"));
        System.out.printf(
                "DashboardIT: chart %s (series %s, points %s): %s%n",
                id,
                chart.getAttribute("data-series"),
                chart.getAttribute("data-points"),
                chart.getText().replace('\n', ' '));
        Map<String, Integer> drawn = new HashMap<>();
        for (String attribute : List.of("series", "points", "overlays")) {
            String value = chart.getAttribute("data-" + attribute);
            if (value != null) {
                drawn.put(attribute, Integer.parseInt(value));
            }
        }
        return drawn;
    }

    private String tile(String metric) {
        return browser.findElement(By.cssSelector(".tile[data-metric='" + metric + "'] .value"))
                .getText()
                .trim();
    }

    private List<WebElement> rows(String table) {
        return browser.findElements(By.cssSelector("table[data-table='" + table + "'] tbody tr"));
    }

    private String field(By row, String name) {
        return browser.findElement(row)
                .findElement(By.cssSelector("td[data-field='" + name + "']"))
                .getText()
                .trim();
    }

    private void screenshot(String name) {
        Path dir = Paths.get(System.getProperty(
                "loupe.screenshots.dir",
                Paths.get(System.getProperty("loupe.repo.root", ".."), "e2e/target/screenshots")
                        .toString()));
        try {
            Files.createDirectories(dir);
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("could not save the screenshot " + name, e);
        }
    }
}
