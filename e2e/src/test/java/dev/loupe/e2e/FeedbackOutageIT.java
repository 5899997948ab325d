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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The feedback outbox: with the broker down for 30 seconds, feedback-service keeps answering 202 (the feedback
 * is committed in PostgreSQL), and every stored feedback reaches {@code loupe.feedback.v1} once the broker is back.
 */
@ExtendWith(LoupeStack.Extension.class)
class FeedbackOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private final LoupeStack stack;

    FeedbackOutageIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void feedbackGivenWhileTheBrokerIsDownIsStoredAndPublishedWhenItReturns() throws Exception {
        String run = "outage-" + Long.toHexString(System.nanoTime());
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> accepted = new ArrayList<>();
        int sent = 0;
        stack.kafka().kill();
        long end = System.nanoTime() + OUTAGE.toNanos();
        try {
            while (System.nanoTime() < end) {
                Response response = given().auth().oauth2(stack.projectA().publicKey()).contentType(ContentType.JSON)
                        .body(Map.of("decisionId", run + "-d" + sent, "signal", sent % 2 == 0 ? "thumbs_down" : "edited",
                                "correction", "the right answer " + sent))
                        .post(stack.url(LoupeStack.FEEDBACK) + "/v1/feedback");
                statuses.merge(response.statusCode(), 1, Integer::sum);
                if (response.statusCode() == 202) {
                    accepted.add(response.path("feedbackId"));
                }
                sent++;
                Thread.sleep(500);
            }
        } finally {
            stack.kafka().start();
        }
        assertThat(statuses).as("answers during the outage").containsOnlyKeys(202);

        Set<String> published = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                .until(() -> onTopic(run), ids -> ids.containsAll(accepted));
        assertThat(published).containsExactlyInAnyOrderElementsOf(accepted);
        System.out.printf("FAULT feedback, broker down %d s; feedback sent %d, acknowledged (202) %d, published %d; "
                + "every service ready again %d ms later%n", OUTAGE.toSeconds(), sent, accepted.size(), published.size(),
                stack.awaitAllReady().toMillis());
    }

    private Set<String> onTopic(String run) {
        return TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.FEEDBACK).stream()
                .filter(r -> r.key() != null && r.key().startsWith(run))
                .map(r -> EventJson.decode(r.value(), FeedbackRecord.class).feedbackId())
                .collect(Collectors.toSet());
    }
}
