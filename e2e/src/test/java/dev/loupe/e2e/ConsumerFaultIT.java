package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.Topics;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TopicReader;
import io.restassured.http.ContentType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault: a systematic failure of a running consumer that no record is to blame for. The eval-runner's decision
 * table is renamed away under it ({@code alter table … rename}: every insert fails with SQLSTATE 42P01, an error
 * about the service's schema, as a missing class or a bug would fail every record). The decisions are held, not
 * dead-lettered: nothing reaches {@code loupe.decisions.v1.dlq}, the eval-runner's readiness turns DOWN after
 * {@code loupe.consumers.fault-readiness-after} (5 s on this stack), and once the table is back every decision
 * is stored and readiness is UP again.
 */
@ExtendWith(LoupeStack.Extension.class)
class ConsumerFaultIT {
    private static final int DECISIONS = 20;

    private final LoupeStack stack;

    ConsumerFaultIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void aSystematicConsumerFaultHoldsTheRecordsDeadLettersNoneAndLosesNone() throws Exception {
        TestProject project = stack.newProject("fault-consumer");
        ServiceProcess evals = stack.service(LoupeStack.EVALS);
        await("eval-runner ready").atMost(Duration.ofSeconds(30)).until(evals::ready);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < DECISIONS; i++) {
            ids.add("fault-" + project.id() + "-" + i);
        }
        long faultAt = System.nanoTime();
        sql("alter table evals.decisions rename to decisions_away");
        double downAfter;
        try {
            List<Map<String, String>> decisions = ids.stream()
                    .map(id -> Map.of("decisionId", id, "feature", "fault", "input", "q", "output", "a"))
                    .toList();
            given().auth()
                    .oauth2(project.secretKey())
                    .contentType(ContentType.JSON)
                    .body(Map.of("decisions", decisions))
                    .post(stack.url(LoupeStack.COLLECTOR) + "/v1/decisions")
                    .then()
                    .statusCode(200);

            await("eval-runner readiness DOWN: its decision consumer is held")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> !evals.ready());
            downAfter = (System.nanoTime() - faultAt) / 1e9;
            String health = given().get(stack.url(LoupeStack.EVALS) + "/q/health/ready")
                    .then()
                    .statusCode(503)
                    .extract()
                    .asString();
            assertThat(health).contains("Kafka consumers not held by a fault").contains("decisions-in");
            given().get(stack.url(LoupeStack.EVALS) + "/q/health/live").then().statusCode(200);
            assertThat(count("evals.decisions_away", project.id())).isZero();
        } finally {
            sql("alter table evals.decisions_away rename to decisions");
        }
        long liftedAt = System.nanoTime();

        await("every decision stored once the fault is lifted")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> count("evals.decisions", project.id()) == DECISIONS);
        await("eval-runner ready again").atMost(Duration.ofSeconds(60)).until(evals::ready);
        double recoveredAfter = (System.nanoTime() - liftedAt) / 1e9;
        List<String> deadLettered =
                TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.deadLetter(Topics.DECISIONS)).stream()
                        .map(r -> r.key())
                        .filter(ids::contains)
                        .toList();
        String metrics = given().get(stack.url(LoupeStack.EVALS) + "/q/metrics").asString();

        System.out.printf(
                "FAULT consumer table renamed: %d decisions, readiness DOWN after %.1f s, stored and ready %.1f s"
                        + " after the fault was lifted, dead-lettered %d%n",
                DECISIONS, downAfter, recoveredAfter, deadLettered.size());
        assertThat(deadLettered).as("a fault is not a poison record").isEmpty();
        assertThat(metrics).containsPattern("loupe_consumer_faults_total\\{channel=\"decisions-in\"[^}]*} [1-9]");
        assertThat(metrics).contains("loupe_dead_letters_total{topic=\"loupe.decisions.v1\"");
    }

    private void sql(String statement) throws Exception {
        try (Connection c = stack.database().connect();
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private long count(String table, String projectId) throws Exception {
        try (Connection c = stack.database().connect();
                PreparedStatement s = c.prepareStatement("select count(*) from " + table + " where project_id = ?")) {
            s.setString(1, projectId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
