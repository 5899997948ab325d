package dev.loupe.aggregator.spans;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.aggregator.MovableClock;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.CommitIntervals;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.io.File;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Freshness as the operator and the user see it, against a real broker: the span group's lag
 * ({@code loupe_consumer_lag_records}) rises while its consumers are paused and records arrive, and returns to 0 once
 * they have caught up; the age of the newest stored span follows the injectable clock; {@code GET /v1/freshness}
 * and the dashboard (headless Chromium) say "Data is N s behind" only while records wait and the newest stored one
 * is older than {@code loupe.dashboard.stale-after}.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FreshnessTest {
    private static final Pattern SPAN_LAG = Pattern.compile(
            "(?m)^loupe_consumer_lag_records\\{group=\"loupe-metrics-aggregator\",topic=\"loupe\\.spans\\.v1\"} (\\S+)$");

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectA;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String readKeyA;

    @Inject
    ChannelRegistry channels;

    @TestHTTPResource("/")
    URL base;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(SharedKafka.bootstrapServers());
    }

    @AfterEach
    void restore() {
        spanChannels().forEach(PausableChannel::resume);
        MovableClock.reset();
        kafka.close();
    }

    @Test
    void lagAndAgeRiseWhileTheConsumerIsBehindAndTheNoticeShowsOnlyThen() {
        // a stored span first: the pipeline flows, so nothing is behind
        SpanRecord first = SpanPipelineTest.fullSpan(projectA, TestSpans.randomHex(32));
        send(first);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> given().auth()
                                .oauth2(readKeyA)
                                .get("/v1/traces/" + first.traceId())
                                .statusCode()
                        == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> spanLag() == 0);
        assertThat(freshness().getBoolean("stale")).isFalse();
        assertThat(freshness().getLong("behindSeconds")).isZero();

        // the consumers paused, records arrive: the group owes them
        List<PausableChannel> paused = spanChannels();
        assertThat(paused).isNotEmpty();
        paused.forEach(PausableChannel::pause);
        for (int i = 0; i < 5; i++) {
            send(SpanPipelineTest.fullSpan(projectA, TestSpans.randomHex(32)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> spanLag() >= 5);

        // two minutes later by the service's clock, still behind: stale, by the gauge, the API and the page
        MovableClock.advance(Duration.ofMinutes(2));
        assertThat(newestSpanAge()).isGreaterThanOrEqualTo(120);
        JsonPath stale = freshness();
        assertThat(stale.getBoolean("stale")).isTrue();
        assertThat(stale.getLong("behindSeconds")).isGreaterThanOrEqualTo(120);
        assertThat(stale.getLong("pendingRecords")).isGreaterThanOrEqualTo(5);
        assertThat(stale.getLong("staleAfterSeconds")).isEqualTo(30);
        ChromeDriver browser = chromium();
        try {
            WebElement notice = openDashboard(browser, "stale");
            assertThat(notice.isDisplayed()).isTrue();
            assertThat(notice.getText()).startsWith("Data is ").contains(" s behind");
            long shown = Long.parseLong(notice.getText().replaceAll("^Data is (\\d+) s behind.*$", "$1"));
            assertThat(shown).isGreaterThanOrEqualTo(120);

            // caught up: nothing waits, so old data is not "behind" (a project may just be quiet)
            paused.forEach(PausableChannel::resume);
            await().atMost(Duration.ofSeconds(60)).until(() -> spanLag() == 0);
            JsonPath fresh = freshness();
            assertThat(fresh.getBoolean("stale")).isFalse();
            assertThat(fresh.getLong("behindSeconds")).isZero();
            assertThat(openDashboard(browser, "fresh").isDisplayed()).isFalse();
        } finally {
            browser.quit();
        }
    }

    /**
     * The lag above is committed offsets; the connector commits processed ones every {@code auto.commit.interval.ms},
     * 5 s unless set. Every consumer of every channel (the span copies too) gets Loupe's interval from the
     * connector-wide property, so a group's lag holds about a second of records it has already stored, not five.
     */
    @Test
    void everyConsumerCommitsAtLoupesIntervalNotTheConnectorsFiveSeconds() {
        CommitIntervals.assertEveryConsumerCommitsAtLoupesInterval(
                "spans-in$1", "decisions-in", "evals-in", "feedback-in", "alerts-in");
    }

    @Test
    void freshnessNeedsAReadKey() {
        given().when().get("/v1/freshness").then().statusCode(401).contentType("application/problem+json");
    }

    private List<PausableChannel> spanChannels() {
        List<PausableChannel> found = new ArrayList<>();
        for (String name : List.of("spans-in", "spans-in$1", "spans-in$2", "spans-in$3", "spans-in$4")) {
            PausableChannel channel = channels.getPausable(name);
            if (channel != null) {
                found.add(channel);
            }
        }
        return found;
    }

    private void send(SpanRecord span) {
        kafka.produceStrings()
                .fromRecords(new ProducerRecord<>(Topics.SPANS, span.traceId(), EventJson.encode(span)))
                .awaitCompletion();
    }

    private JsonPath freshness() {
        return given().auth()
                .oauth2(readKeyA)
                .get("/v1/freshness")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double spanLag() {
        Matcher m = SPAN_LAG.matcher(metrics());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private double newestSpanAge() {
        Matcher m = Pattern.compile("(?m)^loupe_aggregator_newest_span_age_seconds\\{project=\""
                        + Pattern.quote(projectA) + "\"} (\\S+)$")
                .matcher(metrics());
        assertThat(m.find()).as("the newest span age of project A is published").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private WebElement openDashboard(ChromeDriver browser, String state) {
        browser.get(base.toString());
        browser.executeScript("sessionStorage.setItem('loupe.apiKey', arguments[0]);", readKeyA);
        browser.navigate().refresh();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> state.equals(
                        browser.findElement(By.id("freshness-notice")).getDomAttribute("data-state")));
        return browser.findElement(By.id("freshness-notice"));
    }

    private static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("loupe.chromium", "/usr/bin/chromium"));
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("loupe.chromedriver", "/usr/bin/chromedriver")))
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }
}
