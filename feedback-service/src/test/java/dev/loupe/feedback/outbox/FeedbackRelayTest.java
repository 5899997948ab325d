package dev.loupe.feedback.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.feedback.FeedbackFixtures;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The relay as it runs: on its schedule and after commits, against the real broker. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FeedbackRelayTest {
    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Inject
    Pool pool;

    @Test
    void aRowLeftUnpublishedByAnOutageIsPublishedAndMarked() {
        String decision = FeedbackFixtures.decisionId();
        String id = FeedbackFixtures.insertUnpublished(pool, projectId, decision, "null");

        FeedbackFixtures.awaitPublishedAt(pool, id);
        List<FeedbackRecord> published = FeedbackFixtures.published(id);
        assertThat(published).hasSize(1);
        assertThat(published.get(0).decisionId()).isEqualTo(decision);
        assertThat(published.get(0).projectId()).isEqualTo(projectId);
        assertThat(published.get(0).signal()).isEqualTo(FeedbackSignal.INCORRECT);
        assertThat(published.get(0).correction()).isEqualTo("left behind");
        assertThat(FeedbackFixtures.row(pool, id).getOffsetDateTime("lease_until"))
                .isNull();
    }

    @Test
    void aRowUnderAnotherReplicasLeaseIsLeftToItUntilTheLeaseRunsOut() {
        String decision = FeedbackFixtures.decisionId();
        String leased = FeedbackFixtures.insertUnpublished(pool, projectId, decision, "now() + interval '1 hour'");

        // new feedback wakes the relay; the leased row is older, so any round that could take it would have
        String later = given().auth()
                .oauth2(publicKey)
                .contentType(ContentType.JSON)
                .body(Map.of("decisionId", FeedbackFixtures.decisionId(), "signal", "correct"))
                .when()
                .post("/v1/feedback")
                .then()
                .statusCode(202)
                .extract()
                .path("feedbackId");
        FeedbackFixtures.awaitPublishedAt(pool, later);
        assertThat(FeedbackFixtures.row(pool, leased).getOffsetDateTime("published_at"))
                .isNull();
        assertThat(FeedbackFixtures.payloads(decision)).isEmpty();

        // the holder died: its lease runs out, and the relay takes the row over
        FeedbackFixtures.query(
                pool, "update feedback.feedback set lease_until = now() - interval '1 second' where id = $1", leased);
        FeedbackFixtures.awaitPublishedAt(pool, leased);
        assertThat(FeedbackFixtures.published(leased)).hasSize(1);
    }
}
