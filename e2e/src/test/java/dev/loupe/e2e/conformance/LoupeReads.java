package dev.loupe.e2e.conformance;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.e2e.LoupeStack;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;

/** Reads back what the aggregator stored: a trace (polled until complete), a metric, a user id's stored hash. */
final class LoupeReads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoupeStack stack;
    private final String key;

    LoupeReads(LoupeStack stack, String key) {
        this.stack = stack;
        this.key = key;
    }

    /** The trace's spans ordered by start time, once {@code complete} holds for them (polled up to 60 s). */
    List<JsonNode> trace(String traceId, Predicate<List<JsonNode>> complete) {
        AtomicReference<List<JsonNode>> last = new AtomicReference<>(List.of());
        Awaitility.await("trace " + traceId + " stored completely")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Response response =
                            given().auth().oauth2(key).get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + traceId);
                    if (response.statusCode() != 200) {
                        return false;
                    }
                    List<JsonNode> spans = new ArrayList<>();
                    JSON.readTree(response.asByteArray()).get("spans").forEach(spans::add);
                    spans.sort(Comparator.comparing(s -> s.get("startTime").asText()));
                    last.set(spans);
                    return complete.test(spans);
                });
        return last.get();
    }

    /** The trace's spans once it holds at least {@code count} spans of {@code kind}. */
    List<JsonNode> traceWith(String traceId, String kind, int count) {
        return trace(traceId, spans -> ofKind(spans, kind).size() >= count);
    }

    static List<JsonNode> ofKind(List<JsonNode> spans, String kind) {
        return spans.stream().filter(s -> kind.equals(s.path("kind").asText())).toList();
    }

    /** {@code GET /v1/metrics/{metric}} over the last and next hour (one point per group), with the filters. */
    JsonNode metric(String metric, Map<String, String> params) {
        var request = given().auth()
                .oauth2(key)
                .queryParam("from", Instant.now().minus(Duration.ofHours(1)).toString())
                .queryParam("to", Instant.now().plus(Duration.ofHours(1)).toString());
        for (Map.Entry<String, String> p : params.entrySet()) {
            request = request.queryParam(p.getKey(), p.getValue());
        }
        Response response = request.get(stack.url(LoupeStack.AGGREGATOR) + "/v1/metrics/" + metric);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /v1/metrics/" + metric + " " + params + " → " + response.statusCode() + " "
                    + response.asString());
        }
        try {
            return JSON.readTree(response.asByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The single value of a metric with no groupBy (0 when there is no series: nothing counted). */
    double total(String metric, Map<String, String> filters) {
        JsonNode series = metric(metric, filters).path("series");
        double total = 0;
        for (JsonNode s : series) {
            for (JsonNode point : s.path("points")) {
                total += point.path("value").asDouble();
            }
        }
        return total;
    }

    /** Polls until a metric's total reaches {@code expected} (rollups trail the spans), returning the last total. */
    double awaitTotal(String metric, Map<String, String> filters, double expected) {
        AtomicReference<Double> last = new AtomicReference<>(Double.NaN);
        try {
            Awaitility.await(metric + " " + filters)
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        last.set(total(metric, filters));
                        return last.get() == expected;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the caller's assertion names the difference
        }
        return last.get();
    }

    /** A metric's value per group of {@code dimension} (no bucket: one point per group). */
    Map<String, Double> byGroup(String metric, String dimension) {
        Map<String, Double> values = new java.util.TreeMap<>();
        for (JsonNode s : metric(metric, Map.of("groupBy", dimension)).path("series")) {
            double total = 0;
            for (JsonNode point : s.path("points")) {
                total += point.path("value").asDouble();
            }
            values.put(s.path("group").path(dimension).asText(), total);
        }
        return values;
    }

    /** Polls {@link #byGroup} until it holds every expected entry (up to 30 s), returning the last answer. */
    Map<String, Double> awaitGroups(String metric, String dimension, Map<String, Double> expected) {
        AtomicReference<Map<String, Double>> last = new AtomicReference<>(Map.of());
        try {
            Awaitility.await(metric + " by " + dimension)
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        last.set(byGroup(metric, dimension));
                        return last.get().entrySet().containsAll(expected.entrySet());
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the caller's assertion names the difference
        }
        return last.get();
    }

    /**
     * The user id as Loupe stores it: HMAC-SHA-256 under the project's key, itself HMAC-SHA-256(secret,
     * "project:" + id) — common's {@code IdentifierHasher}, with the stack's {@code LOUPE_IDENTIFIERS_SECRET}.
     */
    String storedUserId(String projectId, String userId) {
        String secret = stack.secrets().get("LOUPE_IDENTIFIERS_SECRET");
        return hmacHex(hmacHex(secret, "project:" + projectId), userId);
    }

    private static String hmacHex(String key, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
