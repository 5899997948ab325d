package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchBodiesTest {

    @Test
    void spansAndDecisionsGoToTheirOwnEndpointInQueueOrder() {
        Span a = Span.llm("m").build();
        Decision d = Decision.of("d-1").build();
        Span b = Span.llm("m").build();

        List<BatchBodies.Body> bodies = BatchBodies.of(List.of(a, d, b), 1 << 20);

        assertThat(bodies)
                .extracting(BatchBodies.Body::endpoint, BatchBodies.Body::items)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Telemetry.Endpoint.SPANS, 2),
                        org.assertj.core.groups.Tuple.tuple(Telemetry.Endpoint.DECISIONS, 1));
        JsonNode spans = json(bodies.get(0));
        assertThat(spans.fieldNames()).toIterable().containsExactly("spans");
        assertThat(spans.get("spans").get(0)).isEqualTo(Json.parse(a.toString()));
        assertThat(spans.get("spans").get(1)).isEqualTo(Json.parse(b.toString()));
        assertThat(json(bodies.get(1))).isEqualTo(Json.parse("{\"decisions\": [" + d + "]}"));
    }

    @Test
    void aBatchOverTheByteLimitIsSplitAndNoItemIsLost() {
        List<Telemetry> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(Span.llm("m").prompt("x".repeat(1_000)).build());
        }
        int limit = 10_000;

        List<BatchBodies.Body> bodies = BatchBodies.of(batch, limit);

        assertThat(bodies).hasSizeGreaterThan(10);
        assertThat(bodies).allSatisfy(body -> assertThat(body.bytes().length).isLessThanOrEqualTo(limit));
        List<String> sent = new ArrayList<>();
        bodies.forEach(body -> {
            JsonNode spans = json(body).get("spans");
            assertThat(spans.size()).isEqualTo(body.items());
            spans.forEach(span -> sent.add(span.get("spanId").asText()));
        });
        assertThat(sent)
                .containsExactlyElementsOf(
                        batch.stream().map(s -> ((Span) s).spanId()).toList());
    }

    @Test
    void anItemLargerThanTheLimitTravelsAlone() {
        List<Telemetry> batch = List.of(
                Span.llm("m").build(),
                Span.llm("m").prompt("x".repeat(5_000)).build(),
                Span.llm("m").build());

        assertThat(BatchBodies.of(batch, 1_000))
                .extracting(BatchBodies.Body::items)
                .containsExactly(1, 1, 1);
    }

    private static JsonNode json(BatchBodies.Body body) {
        return Json.parse(new String(body.bytes(), StandardCharsets.UTF_8));
    }
}
