package dev.loupe.aggregator.explore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import dev.loupe.testing.TestSpans;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/sessions[/{id}]} and {@code GET /v1/users[/{id}]} over spans, a decision, its evaluation and its
 * feedback that went through the real consumers (project B, an hour of each test's own).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SessionsAndUsersTest {
    @ConfigProperty(name = "loupe.test.project-b.id")
    String projectB;

    @ConfigProperty(name = "loupe.test.project-b.secret-key")
    String keyB;

    /** Another project's key. */
    @ConfigProperty(name = "loupe.test.project-a.secret-key")
    String keyA;

    private Instant t0;
    private String session;
    private String otherSession;
    private String user;
    private String decisionId;
    private final List<String> traces = new ArrayList<>();

    @BeforeEach
    void aConversationOfThreeTurnsAndAnotherOfOne() {
        t0 = Instant.parse("2025-04-01T00:00:00Z")
                .plus(Duration.ofHours(ThreadLocalRandom.current().nextInt(24 * 200)));
        session = "s-" + TestSpans.randomHex(8);
        otherSession = "s-" + TestSpans.randomHex(8);
        user = TestSpans.randomHex(64); // as the collector stores it: an HMAC
        decisionId = "d-" + TestSpans.randomHex(8);
        traces.clear();
        List<SpanRecord> spans = new ArrayList<>();
        String[][] turns = {
            {
                "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Where is my parcel?\"}]",
                "It left the depot today."
            },
            {"Can I change the address?", null},
            {"Thanks, cancel it then.", "Cancelled."}
        };
        for (int i = 0; i < turns.length; i++) {
            String trace = TestSpans.randomHex(32);
            traces.add(trace);
            String root = TestSpans.randomHex(16);
            Instant at = t0.plusSeconds(60L * i);
            spans.add(new TraceExplorerTest.Span(projectB)
                    .with("traceId", trace)
                    .with("spanId", root)
                    .with("kind", "AGENT")
                    .with("name", "turn " + (i + 1))
                    .with("startTime", at.toString())
                    .with("endTime", at.plusMillis(900).toString())
                    .with("latencyMs", 900)
                    .with("status", "SUCCESS")
                    .with("sessionId", session)
                    .with("userId", user)
                    .with("feature", "support-chat")
                    .with("metadata", Map.of("userLabel", "Ada (support)"))
                    .record());
            spans.add(new TraceExplorerTest.Span(projectB)
                    .with("traceId", trace)
                    .with("spanId", TestSpans.randomHex(16))
                    .with("parentSpanId", root)
                    .with("kind", "LLM")
                    .with("name", "chat")
                    .with("model", "gpt-4o")
                    .with("startTime", at.plusMillis(100).toString())
                    .with("endTime", at.plusMillis(800).toString())
                    .with("latencyMs", 700)
                    .with("inputTokens", 100)
                    .with("outputTokens", 10)
                    .with("costUsd", "0.0010")
                    .with("prompt", turns[i][0])
                    .with("completion", turns[i][1])
                    .with("status", turns[i][1] == null ? "ERROR" : "SUCCESS")
                    .with("errorType", turns[i][1] == null ? "timeout" : null)
                    .with("decisionId", i == 0 ? decisionId : null)
                    .record());
        }
        String lone = TestSpans.randomHex(32);
        spans.add(new TraceExplorerTest.Span(projectB)
                .with("traceId", lone)
                .with("spanId", TestSpans.randomHex(16))
                .with("kind", "LLM")
                .with("name", "chat")
                .with("model", "gpt-4o")
                .with("startTime", t0.plusSeconds(600).toString())
                .with("endTime", t0.plusSeconds(601).toString())
                .with("costUsd", "0.0500")
                .with("status", "SUCCESS")
                .with("sessionId", otherSession)
                .with("userId", user)
                .record());
        TraceExplorerTest.send(
                Topics.SPANS,
                spans.stream().map(s -> new Object[] {s.traceId(), s}).toList());
        TraceExplorerTest.send(Topics.DECISIONS, List.<Object[]>of(new Object[] {decisionId, decision()}));
        TraceExplorerTest.send(Topics.EVALS, List.<Object[]>of(new Object[] {decisionId, eval()}));
        TraceExplorerTest.send(Topics.FEEDBACK, List.<Object[]>of(new Object[] {decisionId, feedback()}));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var response = given().auth()
                    .oauth2(keyB)
                    .queryParam("from", t0.minusSeconds(60).toString())
                    .queryParam("to", t0.plusSeconds(3600).toString())
                    .get("/v1/sessions/" + session);
            if (response.statusCode() != 200) {
                return false;
            }
            JsonPath json = response.jsonPath();
            return json.getList("turns").size() == 3
                    && json.getList("turns[0].evals").size() == 1
                    && json.getList("turns[0].feedback").size() == 1
                    && json.getString("turns[0].input") != null;
        });
    }

    @Test
    void aSessionIsReplayedInOrderWithItsBadges() {
        JsonPath replay = get(keyB, "/v1/sessions/" + session).extract().jsonPath();
        assertThat(replay.getString("userId")).isEqualTo(user);
        assertThat(replay.getList("turns.traceId")).containsExactlyElementsOf(traces);
        assertThat(replay.getString("turns[0].input"))
                .as("the decision's input wins")
                .isEqualTo("where is my parcel?");
        assertThat(replay.getString("turns[0].output")).isEqualTo("It left the depot today, said the decision.");
        assertThat(replay.getString("turns[0].evals[0].evaluator")).isEqualTo("refusal");
        assertThat(replay.getList("turns[0].feedback")).containsExactly("THUMBS_DOWN");
        assertThat(replay.getString("turns[1].input")).isEqualTo("Can I change the address?");
        assertThat(replay.getString("turns[1].output")).isNull();
        assertThat(replay.getString("turns[1].status")).isEqualTo("ERROR");
        assertThat(replay.getString("turns[1].errorType")).isEqualTo("timeout");
        assertThat(replay.getString("turns[2].output")).isEqualTo("Cancelled.");
        assertThat(replay.getString("turns[2].rootName")).isEqualTo("turn 3");

        given().auth()
                .oauth2(keyA)
                .queryParam("from", t0.minusSeconds(60).toString())
                .get("/v1/sessions/" + session)
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void sessionsAreListedByLatestActivityWithTheirSums() {
        JsonPath list = get(keyB, "/v1/sessions?user=" + user).extract().jsonPath();
        assertThat(list.getList("sessions.sessionId")).containsExactly(otherSession, session);
        assertThat(list.getInt("sessions[1].turns")).isEqualTo(3);
        assertThat(list.getInt("sessions[1].errorTurns")).isEqualTo(1);
        assertThat(list.getInt("sessions[1].inputTokens")).isEqualTo(300);
        assertThat(new BigDecimal(list.getString("sessions[1].costUsd"))).isEqualByComparingTo("0.003");
        assertThat(list.getList("sessions[1].feedback")).containsExactly("THUMBS_DOWN");

        JsonPath first =
                get(keyB, "/v1/sessions?limit=1&user=" + user).extract().jsonPath();
        assertThat(first.getList("sessions.sessionId")).containsExactly(otherSession);
        JsonPath second = get(keyB, "/v1/sessions?limit=1&user=" + user + "&cursor=" + first.getString("nextCursor"))
                .extract()
                .jsonPath();
        assertThat(second.getList("sessions.sessionId")).containsExactly(session);
        assertThat(second.getString("nextCursor")).isNull();
        assertThat(get(keyA, "/v1/sessions?user=" + user).extract().jsonPath().getList("sessions"))
                .isEmpty();
    }

    @Test
    void aUserShowsTheirLabelSpendSessionsAndFeedback() {
        JsonPath users = get(keyB, "/v1/users").extract().jsonPath();
        List<Map<String, Object>> all = users.getList("users");
        Map<String, Object> ada = all.stream()
                .filter(u -> user.equals(u.get("userId")))
                .findFirst()
                .orElseThrow();
        assertThat(ada)
                .containsEntry("label", "Ada (support)")
                .containsEntry("traces", 4)
                .containsEntry("sessions", 2);
        assertThat(new BigDecimal(ada.get("costUsd").toString())).isEqualByComparingTo("0.053");

        JsonPath one = get(keyB, "/v1/users/" + user).extract().jsonPath();
        assertThat(one.getInt("user.calls")).isEqualTo(4);
        assertThat(one.getInt("user.errorTraces")).isEqualTo(1);
        assertThat(one.getMap("user.feedback")).containsEntry("THUMBS_DOWN", 1);
        given().auth()
                .oauth2(keyA)
                .queryParam("from", t0.minusSeconds(60).toString())
                .get("/v1/users/" + user)
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(keyB)
                .get("/v1/users?cursor=nonsense")
                .then()
                .statusCode(400)
                .body("field", equalTo("cursor"));
    }

    private io.restassured.response.ValidatableResponse get(String key, String path) {
        return given().auth()
                .oauth2(key)
                .queryParam("from", t0.minusSeconds(60).toString())
                .queryParam("to", t0.plusSeconds(3600).toString())
                .get(path)
                .then()
                .statusCode(200);
    }

    private DecisionRecord decision() {
        return new DecisionRecord(
                SchemaVersions.CURRENT,
                projectB,
                decisionId,
                traces.get(0),
                "support-chat",
                "where is my parcel?",
                "h-in",
                List.of(),
                "support",
                "v1",
                "gpt-4o",
                "It left the depot today, said the decision.",
                "h-out",
                null,
                null,
                Map.of(),
                Outcome.SUCCESS,
                null,
                new BigDecimal("0.0010"),
                700L,
                t0.plusSeconds(1),
                Map.of());
    }

    private EvalResult eval() {
        return new EvalResult(
                SchemaVersions.CURRENT,
                projectB,
                "e-" + decisionId,
                decisionId,
                "support-chat",
                "refusal",
                "1",
                1.0,
                true,
                "answered",
                EvalTrigger.SAMPLED,
                Map.of(),
                t0.plusSeconds(2));
    }

    private FeedbackRecord feedback() {
        return new FeedbackRecord(
                SchemaVersions.CURRENT,
                projectB,
                "f-" + decisionId,
                decisionId,
                FeedbackSignal.THUMBS_DOWN,
                null,
                null,
                null,
                t0.plusSeconds(30));
    }
}
