package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FeedbackBatchTest {
    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String secretKey;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Inject
    Pool pool;

    private JsonPath postBatch(Object body) {
        return given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/v1/feedback/batch")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .extract()
                .jsonPath();
    }

    @Test
    void aBadItemInTheMiddleIsRejectedAndTheOthersArePublished() {
        String first = FeedbackFixtures.decisionId();
        String bad = FeedbackFixtures.decisionId();
        String last = FeedbackFixtures.decisionId();
        JsonPath answer = postBatch(Map.of(
                "feedback",
                List.of(
                        Map.of("decisionId", first, "signal", "thumbs_up", "occurredAt", "2026-01-05T10:00:00Z"),
                        Map.of("decisionId", bad, "signal", "meh"),
                        Map.of("decisionId", last, "signal", "EDITED", "correction", "It is 30 days."))));

        assertThat(answer.getInt("accepted")).isEqualTo(2);
        assertThat(answer.getList("rejected")).hasSize(1);
        assertThat(answer.getInt("rejected[0].index")).isEqualTo(1);
        assertThat(answer.getString("rejected[0].field")).isEqualTo("feedback[1].signal");
        assertThat(answer.getString("rejected[0].reason")).contains("thumbs_up");
        assertThat(answer.getList("items.index", Integer.class)).containsExactly(0, 2);
        assertThat(answer.getList("items.decisionId", String.class)).containsExactly(first, last);
        assertThat(answer.getList("items.replayed", Boolean.class)).containsExactly(false, false);

        FeedbackRecord firstRecord = EventJson.decode(
                TopicReader.awaitKey(Topics.FEEDBACK, first, Duration.ofSeconds(10))
                        .value(),
                FeedbackRecord.class);
        FeedbackRecord lastRecord = EventJson.decode(
                TopicReader.awaitKey(Topics.FEEDBACK, last, Duration.ofSeconds(10))
                        .value(),
                FeedbackRecord.class);
        assertThat(firstRecord.feedbackId()).isEqualTo(answer.getString("items[0].feedbackId"));
        assertThat(firstRecord.occurredAt()).hasToString("2026-01-05T10:00:00Z");
        assertThat(lastRecord.feedbackId()).isEqualTo(answer.getString("items[1].feedbackId"));
        assertThat(lastRecord.correction()).isEqualTo("It is 30 days.");
        assertThat(lastRecord.projectId()).isEqualTo(projectId);
        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", bad)).isZero();
    }

    @Test
    void eachRejectionNamesItsItemsField() {
        String decision = FeedbackFixtures.decisionId();
        JsonPath answer = postBatch("{\"feedback\": ["
                + "{\"decisionId\": \"" + decision + "\", \"signal\": \"edited\"},"
                + "42,"
                + "{\"decisionId\": \"" + decision + "\", \"signal\": \"correct\", \"occurredAt\": \"soon\"},"
                + "{\"signal\": \"correct\"},"
                + "{\"decisionId\": \"" + decision + "\", \"signal\": \"correct\"}]}");

        assertThat(answer.getInt("accepted")).isEqualTo(1);
        assertThat(answer.getList("rejected.field", String.class))
                .containsExactly(
                        "feedback[0].correction", "feedback[1]", "feedback[2].occurredAt", "feedback[3].decisionId");
        assertThat(answer.getList("items.index", Integer.class)).containsExactly(4);
    }

    @Test
    void aRetriedBatchIsReplayedItemByItem() {
        String decision = FeedbackFixtures.decisionId();
        List<Map<String, Object>> items = List.of(
                Map.of("decisionId", decision, "signal", "incorrect", "idempotencyKey", decision + "-1"),
                Map.of("decisionId", decision, "signal", "thumbs_down", "idempotencyKey", decision + "-2"),
                Map.of("decisionId", decision, "signal", "dismissed"));
        JsonPath first = postBatch(Map.of("feedback", items));
        assertThat(first.getInt("accepted")).isEqualTo(3);

        // the same items again, plus a third use of key 1: same content is a replay, other content a rejection
        List<Map<String, Object>> retry = new ArrayList<>(items.subList(0, 2));
        retry.add(Map.of("decisionId", decision, "signal", "INCORRECT", "idempotencyKey", decision + "-1"));
        retry.add(Map.of("decisionId", decision, "signal", "correct", "idempotencyKey", decision + "-2"));
        JsonPath second = postBatch(Map.of("feedback", retry));

        assertThat(second.getInt("accepted")).isEqualTo(3);
        assertThat(second.getList("items.replayed", Boolean.class)).containsExactly(true, true, true);
        assertThat(second.getList("items.feedbackId", String.class))
                .containsExactly(
                        first.getString("items[0].feedbackId"),
                        first.getString("items[1].feedbackId"),
                        first.getString("items[0].feedbackId"));
        assertThat(second.getList("rejected.field", String.class)).containsExactly("feedback[3].idempotencyKey");
        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision)).isEqualTo(3);
    }

    @Test
    void itemsOfOneBatchSharingAKeyAreStoredOnce() {
        String decision = FeedbackFixtures.decisionId();
        Map<String, Object> item = Map.of("decisionId", decision, "signal", "correct", "idempotencyKey", decision);
        JsonPath answer = postBatch(Map.of("feedback", List.of(item, item)));

        assertThat(answer.getInt("accepted")).isEqualTo(2);
        assertThat(answer.getList("items.replayed", Boolean.class)).containsExactly(false, true);
        assertThat(answer.getString("items[1].feedbackId")).isEqualTo(answer.getString("items[0].feedbackId"));
        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision)).isEqualTo(1);
    }

    @Test
    void wholeBodyProblemsAreProblemJson() {
        given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body("{\"feedback\": [")
                .when()
                .post("/v1/feedback/batch")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("body"));
        given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body("{\"items\": []}")
                .when()
                .post("/v1/feedback/batch")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("feedback"));
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(Map.of("decisionId", "d", "signal", "correct"));
        }
        given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of("feedback", tooMany))
                .when()
                .post("/v1/feedback/batch")
                .then()
                .statusCode(413)
                .contentType("application/problem+json")
                .body("field", equalTo("feedback"));
    }

    @Test
    void aReadKeyMayNotSubmit() {
        given().auth()
                .oauth2(secretKey)
                .contentType(ContentType.JSON)
                .body(Map.of("feedback", List.of()))
                .when()
                .post("/v1/feedback/batch")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }
}
