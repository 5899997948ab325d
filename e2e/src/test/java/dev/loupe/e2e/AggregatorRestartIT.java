package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.testing.TestSpans;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Acknowledged means durable: killing the aggregator loses no span the collector acknowledged. */
@ExtendWith(LoupeStack.Extension.class)
class AggregatorRestartIT {
    private final LoupeStack stack;

    AggregatorRestartIT(LoupeStack stack) {
        this.stack = stack;
    }

    @Test
    void killingTheAggregatorLosesNoAcknowledgedSpan() {
        String traceId = TestSpans.randomHex(32);
        List<String> sent = new ArrayList<>();
        post(traceId, 20, sent);                       // some before the crash, possibly mid-write
        stack.service(LoupeStack.AGGREGATOR).kill();  // SIGKILL: no clean shutdown, no offset commit on close
        post(traceId, 30, sent);                       // acknowledged while nobody consumes
        stack.service(LoupeStack.AGGREGATOR).start();
        stack.service(LoupeStack.AGGREGATOR).awaitReady();

        Set<String> stored = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            var response = given().auth().oauth2(stack.projectA().secretKey())
                    .get(stack.url(LoupeStack.AGGREGATOR) + "/v1/traces/" + traceId);
            return response.statusCode() == 200
                    ? response.jsonPath().getList("spans.spanId", String.class).stream().collect(Collectors.toSet())
                    : Set.<String>of();
        }, ids -> ids.size() >= sent.size());

        assertThat(stored).containsExactlyInAnyOrderElementsOf(sent);
    }

    private void post(String traceId, int count, List<String> sent) {
        for (int i = 0; i < count; i++) {
            TestSpans span = TestSpans.llm().with("traceId", traceId);
            given().auth().oauth2(stack.projectA().secretKey()).contentType(ContentType.JSON).body(TestSpans.batch(span))
                    .when().post(stack.url(LoupeStack.COLLECTOR) + "/v1/spans")
                    .then().statusCode(200).body("accepted", equalTo(1));
            sent.add(span.spanId());
        }
    }
}
