package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.TopicReader;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The feedback outbox: with the broker down for at least 30 seconds, feedback-service keeps answering 202 (the
 * feedback is committed in PostgreSQL), and every stored feedback reaches {@code loupe.feedback.v1} once the broker
 * is back.
 */
@ExtendWith(LoupeStack.Extension.class)
class FeedbackOutageIT {
    /** Feedback sent while the broker is down, one every {@link #PACE}: the outage lasts at least 30 s. */
    private static final int FEEDBACKS = 60;

    private static final Duration PACE = Duration.ofMillis(500);
    private static final Duration OUTAGE = PACE.multipliedBy(FEEDBACKS);

    private final LoupeStack stack;

    FeedbackOutageIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void feedbackGivenWhileTheBrokerIsDownIsStoredAndPublishedWhenItReturns() {
        String run = "outage-" + Long.toHexString(System.nanoTime());
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> accepted = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        stack.kafka().kill();
        long killed = System.nanoTime();
        try {
            // one feedback per poll, every 0.5 s, until FEEDBACKS were sent (OUTAGE at least)
            await("feedback sent while the broker is down")
                    .atMost(OUTAGE.multipliedBy(3))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(PACE)
                    .until(() -> {
                        int n = sent.getAndIncrement();
                        Response response = given().auth()
                                .oauth2(stack.projectA().publicKey())
                                .contentType(ContentType.JSON)
                                .body(Map.of(
                                        "decisionId",
                                        run + "-d" + n,
                                        "signal",
                                        n % 2 == 0 ? "thumbs_down" : "edited",
                                        "correction",
                                        "the right answer " + n))
                                .post(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback");
                        statuses.merge(response.statusCode(), 1, Integer::sum);
                        if (response.statusCode() == 202) {
                            accepted.add(response.path("feedbackId"));
                        }
                        return n + 1 >= FEEDBACKS;
                    });
            // and the service holds them: its outbox counts at least every acknowledged feedback as unpublished
            await("acknowledged feedback held in the outbox")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(this::outboxPending, n -> n >= accepted.size());
        } finally {
            stack.kafka().start();
        }
        long outage = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
        assertThat(statuses).as("answers during the outage").containsOnlyKeys(202);

        Set<String> published = await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> onTopic(run), ids -> ids.containsAll(accepted));
        assertThat(published).containsExactlyInAnyOrderElementsOf(accepted);
        System.out.printf(
                "FAULT feedback, broker down %d s; feedback sent %d, acknowledged (202) %d, published %d; "
                        + "every service ready again %d ms later%n",
                outage,
                sent.get(),
                accepted.size(),
                published.size(),
                stack.awaitAllReady().toMillis());
    }

    /** {@code loupe.feedback.outbox.pending} as feedback-service last counted it (every 5 s). */
    private long outboxPending() {
        String metrics = given().get(stack.url(LoupeStack.FEEDBACK) + "/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return metrics.lines()
                .filter(l -> l.startsWith("loupe_feedback_outbox_pending"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private Set<String> onTopic(String run) {
        return TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.FEEDBACK).stream()
                .filter(r -> r.key() != null && r.key().startsWith(run))
                .map(r -> EventJson.decode(r.value(), FeedbackRecord.class).feedbackId())
                .collect(Collectors.toSet());
    }
}
