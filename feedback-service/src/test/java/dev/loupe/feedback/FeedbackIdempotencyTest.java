package dev.loupe.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.loupe.contracts.wire.FeedbackInput;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class FeedbackIdempotencyTest {
    @ConfigProperty(name = "loupe.test.project-a.public-key")
    String publicKey;

    @ConfigProperty(name = "loupe.test.project-a.id")
    String projectId;

    @Inject
    Pool pool;

    @Inject
    FeedbackIntake intake;

    private Response post(Map<String, Object> body, String headerKey) {
        var request =
                given().auth().oauth2(publicKey).contentType(ContentType.JSON).body(body);
        if (headerKey != null) {
            request.header(FeedbackResource.IDEMPOTENCY_KEY_HEADER, headerKey);
        }
        return request.when().post("/v1/feedback");
    }

    @Test
    void retryWithTheSameKeyStoresAndPublishesOnce() {
        String decision = FeedbackFixtures.decisionId();
        Map<String, Object> body = Map.of(
                "decisionId",
                decision,
                "signal",
                "thumbs_down",
                "feedbackText",
                "the refund window is wrong",
                "idempotencyKey",
                "k-" + decision);

        String first = post(body, null)
                .then()
                .statusCode(202)
                .header(FeedbackResource.REPLAYED_HEADER, nullValue())
                .extract()
                .path("feedbackId");
        // the signal in another case is the same content
        Map<String, Object> retry = new java.util.HashMap<>(body);
        retry.put("signal", "THUMBS_DOWN");
        post(retry, null)
                .then()
                .statusCode(202)
                .header(FeedbackResource.REPLAYED_HEADER, "true")
                .body("feedbackId", equalTo(first))
                .body("decisionId", equalTo(decision));

        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision)).isEqualTo(1);
        FeedbackFixtures.awaitPublishedAt(pool, first);
        assertThat(FeedbackFixtures.payloads(decision)).hasSize(1);
        assertThat(FeedbackFixtures.published(first)).hasSize(1);
    }

    @Test
    void theKeyMayComeAsAHeader() {
        String decision = FeedbackFixtures.decisionId();
        String key = "hdr-" + UUID.randomUUID();
        Map<String, Object> body = Map.of("decisionId", decision, "signal", "correct");

        String first = post(body, key).then().statusCode(202).extract().path("feedbackId");
        post(body, key)
                .then()
                .statusCode(202)
                .header(FeedbackResource.REPLAYED_HEADER, "true")
                .body("feedbackId", equalTo(first));
        // header and body agreeing is the same key
        Map<String, Object> both = Map.of("decisionId", decision, "signal", "correct", "idempotencyKey", key);
        post(both, key).then().statusCode(202).body("feedbackId", equalTo(first));

        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision)).isEqualTo(1);
        assertThat(FeedbackFixtures.row(pool, first).getString("idempotency_key"))
                .isEqualTo(key);
    }

    @Test
    void headerAndBodyKeysThatDifferAreAProblem() {
        String decision = FeedbackFixtures.decisionId();
        post(Map.of("decisionId", decision, "signal", "correct", "idempotencyKey", "a"), "b")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("idempotencyKey"));
        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision)).isZero();
    }

    @Test
    void theSameKeyForOtherContentIsRefused() {
        String decision = FeedbackFixtures.decisionId();
        String key = "k-" + decision;
        String first = post(Map.of("decisionId", decision, "signal", "thumbs_up", "idempotencyKey", key), null)
                .then()
                .statusCode(202)
                .extract()
                .path("feedbackId");

        post(Map.of("decisionId", decision, "signal", "thumbs_down", "idempotencyKey", key), null)
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("field", equalTo("idempotencyKey"));

        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision)).isEqualTo(1);
        assertThat(FeedbackFixtures.row(pool, first).getString("signal")).isEqualTo("THUMBS_UP");
    }

    @Test
    void concurrentIdenticalRequestsStoreOnce() throws Exception {
        String decision = FeedbackFixtures.decisionId();
        Map<String, Object> body = Map.of(
                "decisionId",
                decision,
                "signal",
                "incorrect",
                "correction",
                "It is 30 days.",
                "idempotencyKey",
                "k-" + decision);
        int n = 8;
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(threads.submit(() -> post(body, null)));
            }
            List<String> ids = new ArrayList<>();
            int replayed = 0;
            for (Future<Response> answer : answers) {
                Response response = answer.get();
                assertThat(response.statusCode()).isEqualTo(202);
                ids.add(response.path("feedbackId"));
                replayed += "true".equals(response.header(FeedbackResource.REPLAYED_HEADER)) ? 1 : 0;
            }
            assertThat(ids).containsOnly(ids.get(0));
            assertThat(replayed).isEqualTo(n - 1);
            assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision))
                    .isEqualTo(1);
            FeedbackFixtures.awaitPublishedAt(pool, ids.get(0));
            assertThat(FeedbackFixtures.payloads(decision)).hasSize(1);
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * The race made deterministic: another transaction holds the key uncommitted while the request looks it up
     * (and finds nothing) and inserts (and waits); once that transaction commits, the insert fails on the unique
     * index and the request must answer the row that won, not fail.
     */
    @Test
    void losingTheRaceForAKeyAnswersTheWinner() throws Exception {
        String decision = FeedbackFixtures.decisionId();
        String key = "k-" + decision;
        Map<String, Object> body = Map.of("decisionId", decision, "signal", "dismissed", "idempotencyKey", key);
        String fingerprint =
                intake.fingerprint(projectId, new FeedbackInput(decision, "dismissed", null, null, null, null, key));
        String winner = UUID.randomUUID().toString();

        SqlConnection connection = pool.getConnection().await().atMost(Duration.ofSeconds(5));
        try {
            Transaction tx = connection.begin().await().atMost(Duration.ofSeconds(5));
            connection
                    .preparedQuery(
                            "insert into feedback.feedback (id, project_id, decision_id, signal, occurred_at, "
                                    + "received_at, idempotency_key, fingerprint) values ($1, $2, $3, 'DISMISSED', now(), now(), $4, $5)")
                    .execute(Tuple.of(winner, projectId, decision, key, fingerprint))
                    .await()
                    .atMost(Duration.ofSeconds(5));

            CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> post(body, null));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> FeedbackFixtures.query(
                                            pool,
                                            "select count(*) from pg_stat_activity where datname = current_database() "
                                                    + "and wait_event_type = 'Lock' and query ilike 'insert into feedback.feedback%'")
                                    .iterator()
                                    .next()
                                    .getLong(0)
                            > 0);
            tx.commit().await().atMost(Duration.ofSeconds(5));

            Response response = answer.get();
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.<String>path("feedbackId")).isEqualTo(winner);
            assertThat(response.header(FeedbackResource.REPLAYED_HEADER)).isEqualTo("true");
        } finally {
            connection.close().await().atMost(Duration.ofSeconds(5));
        }
        assertThat(FeedbackFixtures.count(pool, "decision_id = $1", decision)).isEqualTo(1);
    }
}
