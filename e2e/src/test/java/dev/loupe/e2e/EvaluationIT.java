package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.TopicReader;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Continuous evaluation across real processes: decisions posted to the collector reach the eval-runner over
 * Kafka, the configured share is scored, the scores land on {@code loupe.evals.v1}, and the aggregator's
 * eval series counts them.
 */
@ExtendWith(LoupeStack.Extension.class)
class EvaluationIT {
    private static final int DECISIONS = 10_000;
    private static final double RATE = 0.1;

    private final LoupeStack stack;

    EvaluationIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void decisionsThroughTheCollectorAreEvaluatedAtTheConfiguredRateAndShowInTheEvalSeries() throws Exception {
        String feature = "e2e-eval-" + Long.toHexString(System.nanoTime());
        Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        given().auth()
                .oauth2(stack.projectA().adminKey())
                .contentType(ContentType.JSON)
                .body("""
                        {"samplingRate": %s, "maxPerMinute": 100000, "evaluators": [
                          {"name": "refusal"}, {"name": "contains_all", "config": {"values": ["30 days"]}}]}""".formatted(RATE))
                .put(stack.url(LoupeStack.EVALS) + "/v1/features/" + feature + "/evaluation")
                .then()
                .statusCode(200);

        for (int batch = 0; batch < DECISIONS / 1_000; batch++) {
            List<Map<String, Object>> decisions = new ArrayList<>();
            for (int i = batch * 1_000; i < (batch + 1) * 1_000; i++) {
                decisions.add(Map.of(
                        "decisionId",
                        feature + "-" + i,
                        "traceId",
                        String.format("%032x", i + 1),
                        "feature",
                        feature,
                        "input",
                        "how do refunds work?",
                        "output",
                        i % 3 == 0 ? "I'm sorry, but I can't help with that." : "Refunds within 30 days.",
                        "metadata",
                        Map.of("tier", i % 2 == 0 ? "pro" : "free")));
            }
            given().auth()
                    .oauth2(stack.projectA().secretKey())
                    .contentType(ContentType.JSON)
                    .body(Map.of("decisions", decisions))
                    .post(stack.url(LoupeStack.COLLECTOR) + "/v1/decisions")
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(1_000));
        }

        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> count("select count(*) from evals.decisions where project_id = ? and feature = ?", feature)
                        == DECISIONS);
        long sampled = count(
                "select count(*) from evals.decisions where project_id = ? and feature = ? and sampling = 'rate'",
                feature);
        assertThat(sampled / (double) DECISIONS)
                .as("share evaluated at rate %s", RATE)
                .isBetween(RATE - 0.01, RATE + 0.01);

        List<EvalResult> refusal = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> published(feature, "refusal"), found -> found.size() >= sampled);
        assertThat(refusal.stream().map(EvalResult::decisionId).distinct().count())
                .isEqualTo(sampled);
        long refused = refusal.stream().filter(r -> !r.passed()).count();
        assertThat(refused).as("every third answer is a refusal").isBetween(sampled / 4, sampled / 2);
        assertThat(refusal).allSatisfy(r -> assertThat(r.dimensions()).containsKey("tier"));

        // the aggregator's eval series: one point for the range, over exactly the published results
        String to = Instant.now()
                .plus(1, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toString();
        JsonPath series = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> given().auth()
                                .oauth2(stack.projectA().secretKey())
                                .queryParam("from", from.toString())
                                .queryParam("to", to)
                                .queryParam("groupBy", "feature,evaluator")
                                .queryParam("feature", feature)
                                .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/metrics/eval_pass_rate")
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath(),
                        s -> sampleSize(s, "refusal") == sampled);
        assertThat(value(series, "refusal"))
                .isCloseTo(
                        (sampled - refused) / (double) sampled,
                        org.assertj.core.data.Offset.offset(1e-6)); // JsonPath reads JSON numbers as floats
        System.out.printf(
                "EvaluationIT: %d of %d decisions evaluated (%.2f %% at rate %s), %d refusals%n",
                sampled, DECISIONS, 100.0 * sampled / DECISIONS, RATE, refused);
    }

    private List<EvalResult> published(String feature, String evaluator) {
        List<EvalResult> found = new ArrayList<>();
        Map<String, EvalResult> byId = new HashMap<>();
        TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.EVALS).forEach(r -> {
            EvalResult result = EventJson.decode(r.value(), EvalResult.class);
            if (feature.equals(result.feature()) && evaluator.equals(result.evaluator())) {
                byId.putIfAbsent(result.evalId(), result);
            }
        });
        found.addAll(byId.values());
        return found;
    }

    private static long sampleSize(JsonPath series, String evaluator) {
        Object size = series.get("series.find { it.group.evaluator == '" + evaluator + "' }.points[0].sampleSize");
        return size == null ? -1 : ((Number) size).longValue();
    }

    private static double value(JsonPath series, String evaluator) {
        return ((Number) series.get("series.find { it.group.evaluator == '" + evaluator + "' }.points[0].value"))
                .doubleValue();
    }

    private long count(String sql, String feature) throws SQLException {
        try (Connection c = stack.database().connect();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, stack.projectA().id());
            s.setString(2, feature);
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
