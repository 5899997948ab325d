package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FeedbackRedactionTest {
    private static final String EMAIL = "jane.doe@example.com";
    private static final String CARD = "4111 1111 1111 1111"; // passes Luhn

    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @Inject
    Pool pool;

    @Test
    void personalDataNeverReachesTheTableOrTheTopic() {
        String decision = FeedbackFixtures.decisionId();
        String id = given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "decisionId",
                        decision,
                        "signal",
                        "edited",
                        "correction",
                        "Refund to card " + CARD + ", receipt to " + EMAIL,
                        "feedbackText",
                        "reach me at " + EMAIL))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(202)
                .extract()
                .path("feedbackId");

        Row row = FeedbackFixtures.row(pool, id);
        assertThat(row.getString("correction")).isEqualTo("Refund to card [CARD], receipt to [EMAIL]");
        assertThat(row.getString("feedback_text")).isEqualTo("reach me at [EMAIL]");

        String payload = TopicReader.awaitKey(Topics.FEEDBACK, decision, Duration.ofSeconds(10))
                .value();
        assertThat(payload).doesNotContain(EMAIL).doesNotContain(CARD).doesNotContain("4111");
        FeedbackRecord record = EventJson.decode(payload, FeedbackRecord.class);
        assertThat(record.correction()).isEqualTo("Refund to card [CARD], receipt to [EMAIL]");
        assertThat(record.feedbackText()).isEqualTo("reach me at [EMAIL]");

        String metrics = given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics)
                .containsPattern("loupe_feedback_redactions_total\\{kind=\"email\"[^}]*} [1-9]")
                .containsPattern("loupe_feedback_redactions_total\\{kind=\"card\"[^}]*} [1-9]");
    }

    @Test
    void batchItemsAreRedactedToo() {
        String decision = FeedbackFixtures.decisionId();
        given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "feedback",
                        List.of(Map.of(
                                "decisionId",
                                decision,
                                "signal",
                                "thumbs_down",
                                "feedbackText",
                                "wrong card " + CARD + " for " + EMAIL))))
                .when()
                .post("/v1/feedback/batch")
                .then()
                .statusCode(200);

        assertThat(FeedbackFixtures.count(
                        pool, "decision_id = $1 and feedback_text = $2", decision, "wrong card [CARD] for [EMAIL]"))
                .isEqualTo(1);
        String payload = TopicReader.awaitKey(Topics.FEEDBACK, decision, Duration.ofSeconds(10))
                .value();
        assertThat(payload).doesNotContain(EMAIL).doesNotContain("4111");
        // nothing anywhere in the table still holds them
        assertThat(FeedbackFixtures.count(
                        pool,
                        "strpos(coalesce(correction, '') || coalesce(feedback_text, ''), $1) > 0 "
                                + "or strpos(coalesce(correction, '') || coalesce(feedback_text, ''), $2) > 0",
                        EMAIL,
                        CARD))
                .isZero();
    }
}
