package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.testing.TestProject;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The TypeScript SDK's example ({@code examples/node-chat}) in a real browser against the shared stack: the
 * example's server runs with a project of its own (the stack's URLs, the project's secret and public keys), the
 * page asks the question the stub model answers wrongly, the "wrong answer" button sends a correction with the
 * public key through {@code loupe-sdk/browser} straight to feedback-service (CORS), and the aggregator's decision
 * view must then show the trace, the feedback and a FEEDBACK evaluation. The page, its storage and every resource
 * it loaded must never hold the secret key.
 *
 * <p>The example's {@code node_modules} must be installed before (the gate does it: {@code npm ci && npm run build
 * && npm pack} in {@code sdk/typescript}, then {@code npm ci} in {@code examples/node-chat}); the server's output
 * goes to {@code e2e/target/node-chat.log}.
 */
@ExtendWith(LoupeStack.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeChatExampleIT {
    private static final Pattern LISTENING = Pattern.compile("node-chat listening on (http://\\S+/)");
    private static final String CORRECTION = "Refunds are issued within 5 business days of us receiving the return.";

    private final LoupeStack stack;
    private TestProject project;
    private Process server;
    private String page;
    private WebDriver browser;

    NodeChatExampleIT(LoupeStack stack) {
        this.stack = stack;
    }

    @BeforeAll
    void startTheExample() throws Exception {
        Path root = ChildProcesses.repositoryRoot();
        Path example = root.resolve("examples/node-chat");
        assertThat(example.resolve("node_modules/loupe-sdk/dist/esm/browser.js"))
                .as("the example's dependencies: (cd sdk/typescript && npm ci && npm run build && npm pack)"
                        + " && (cd examples/node-chat && npm ci)")
                .exists();
        project = stack.newProject("node-chat-" + Long.toHexString(System.nanoTime()));

        ProcessBuilder builder = new ProcessBuilder("node", "server.mjs")
                .directory(example.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        ChildProcesses.pointAtStack(env, stack, project);
        env.put("PORT", "0");
        env.put("HOST", "127.0.0.1");
        server = builder.start();

        Path log = root.resolve("e2e/target/node-chat.log");
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                ChildProcesses.pipe(server, "node-chat", log, line -> {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                });
            } catch (RuntimeException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new AssertionError("node server.mjs ended before listening; see " + log));
        });
        reader.setDaemon(true);
        reader.start();
        page = url.get(30, TimeUnit.SECONDS);
        browser = DashboardIT.chromium();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.destroy(); // SIGTERM: the server flushes what is queued and exits
            if (!server.waitFor(15, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void aCorrectionFromThePageReachesTheDecisionAndIsEvaluated() {
        browser.get(page);
        awaitState(By.id("status"), "ready");

        browser.findElement(By.id("question")).sendKeys("How long does a refund take?");
        browser.findElement(By.id("ask")).click();
        WebElement answer = await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> browser.findElements(By.cssSelector("li.answer[data-decision-id]")), l -> !l.isEmpty())
                .get(0);
        String decisionId = answer.getAttribute("data-decision-id");
        assertThat(answer.findElement(By.cssSelector(".text")).getText()).contains("14 days");

        answer.findElement(By.cssSelector("button.wrong")).click();
        answer.findElement(By.cssSelector("textarea.correction")).sendKeys(CORRECTION);
        answer.findElement(By.cssSelector("button.send-correction")).click();
        WebElement status = answer.findElement(By.cssSelector(".feedback-status"));
        String state = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> status.getAttribute("data-state"), s -> "sent".equals(s) || "error".equals(s));
        assertThat(state).as("the page's feedback call: %s", status.getText()).isEqualTo("sent");
        String feedbackId = status.getAttribute("data-feedback-id");
        assertThat(feedbackId).isNotBlank();

        // the decision view: the trace the server sent, the browser's feedback and its FEEDBACK re-evaluation
        String base = stack.url(LoupeStack.AGGREGATOR);
        JsonPath view = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            var response = given().auth()
                                    .oauth2(project.secretKey())
                                    .get(base + "/v1/decisions/" + decisionId);
                            return response.statusCode() == 200 ? response.jsonPath() : null;
                        },
                        v -> v != null
                                && v.getList("feedback").size() == 1
                                && !v.getList("evals.findAll { it.trigger == 'FEEDBACK' }")
                                        .isEmpty()
                                && v.getList("spans").size() >= 3);
        System.out.printf(
                "NodeChatExampleIT: decision %s, feedback %s, spans %s, evals %s%n",
                decisionId,
                feedbackId,
                view.getList("spans.name"),
                view.getList("evals.collect { it.trigger + ':' + it.evaluator + ':' + it.passed }"));
        assertThat(view.getString("decision.output")).contains("14 days");
        assertThat(view.getString("decision.feature")).isEqualTo("support-chat");
        assertThat(view.getList("spans.name", String.class)).contains("chat turn", "search_faq", "openai gpt-4o-mini");
        assertThat(view.getString("feedback[0].feedbackId")).isEqualTo(feedbackId);
        assertThat(view.getString("feedback[0].signal")).isEqualTo("EDITED");
        assertThat(view.getString("feedback[0].correction")).isEqualTo(CORRECTION);
        assertThat(view.getList("evals.findAll { it.trigger == 'FEEDBACK' }.evaluator", String.class))
                .contains("reference_match");
        assertThat(view.getBoolean(
                        "evals.find { it.trigger == 'FEEDBACK' && it.evaluator == 'reference_match' }.passed"))
                .as("the wrong answer against the correction")
                .isFalse();

        // the page never held the secret key: not in the document, its storage, or anything it loaded
        Object seen = ((JavascriptExecutor) browser).executeAsyncScript("""
                        const done = arguments[arguments.length - 1];
                        const own = performance.getEntriesByType('resource').map((e) => e.name)
                            .filter((u) => u.startsWith(location.origin) && !u.includes('/api/'));
                        Promise.all([location.href, ...own].map((u) => fetch(u).then((r) => r.text())))
                            .then((texts) => done({urls: own, text: texts.join('\\n')
                                + JSON.stringify(sessionStorage) + JSON.stringify(localStorage)
                                + document.documentElement.outerHTML}))
                            .catch((e) => done({error: String(e)}));""");
        @SuppressWarnings("unchecked")
        Map<String, Object> loaded = (Map<String, Object>) seen;
        assertThat(loaded).doesNotContainKey("error");
        assertThat((List<?>) loaded.get("urls"))
                .as("the page loaded the SDK's browser entry and its config")
                .anySatisfy(u -> assertThat(u.toString()).endsWith("/vendor/loupe-sdk/browser.js"))
                .anySatisfy(u -> assertThat(u.toString()).endsWith("/config.json"))
                .noneSatisfy(u -> assertThat(u.toString()).contains("transport.js"));
        String everything = (String) loaded.get("text");
        assertThat(everything).contains(project.publicKey());
        assertThat(everything).doesNotContain(project.secretKey()).doesNotContain(project.adminKey());
    }

    private void awaitState(By by, String state) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> browser.findElement(by).getAttribute("data-state"), state::equals);
    }
}
