package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.wire.DecisionInput;
import dev.loupe.contracts.wire.FeedbackInput;
import dev.loupe.contracts.wire.SpanInput;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract test between the client and the services: what the builders write decodes, with the services' own
 * JSON conventions ({@link EventJson#configure}), into exactly the wire records the collector and feedback-service
 * read ({@code dev.loupe.contracts.wire}). Unknown fields fail here (the services would silently drop them), and a
 * fully populated item must fill every component, so a field the client misnames or forgets is caught, and so is
 * a new field of the contract that the client does not write yet.
 */
class WireContractTest {
    /** The services' mapper, but strict: the services tolerate unknown fields, this test must not. */
    private static final ObjectMapper SERVICE_MAPPER =
            EventJson.configure(JsonMapper.builder().build()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final Instant START = Instant.parse("2026-11-27T10:00:01.250Z");

    @Test
    void aFullSpanDecodesIntoEveryComponentOfTheCollectorsSpanInput() throws Exception {
        Span span = Span.of(SpanKind.TOOL)
                .parentSpanId("00f067aa0ba902b7")
                .name("search")
                .provider("openai")
                .model("gpt-4o-2024-08-06")
                .requestModel("gpt-4o")
                .startTime(START)
                .endTime(START.plusMillis(900))
                .latency(Duration.ofMillis(900))
                .timeToFirstToken(Duration.ofMillis(120))
                .tokens(1200, 300)
                .cachedInputTokens(800L)
                .cacheWriteInputTokens(200L)
                .reasoningTokens(40L)
                .costUsd(new BigDecimal("0.0042"))
                .prompt("where is my order?")
                .completion("{\"label\":\"order\"}")
                .parsedOutputJson("{\"label\":\"order\"}")
                .parseError("expected a list")
                .error("RateLimitError", "slow down")
                .feature("support")
                .sessionId("s-1")
                .userId("u-1")
                .decisionId("d-1")
                .toolName("search_docs")
                .toolArguments("{\"query\":\"order 42\"}")
                .toolResult("shipped")
                .promptTemplate("support-answer")
                .attribute("retries", 2)
                .build();

        SpanInput input = decode(span.json(), SpanInput.class);

        assertEveryComponentSet(input);
        assertThat(input.traceId()).isEqualTo(span.traceId());
        assertThat(input.kind()).isEqualTo(SpanKind.TOOL);
        assertThat(input.status()).isEqualTo(Outcome.ERROR);
        assertThat(input.startTime()).isEqualTo(START);
        assertThat(input.latencyMs()).isEqualTo(900L);
        assertThat(input.requestModel()).isEqualTo("gpt-4o");
        assertThat(input.cacheWriteInputTokens()).isEqualTo(200L);
        assertThat(input.toolArguments()).isEqualTo("{\"query\":\"order 42\"}");
        assertThat(input.toolResult()).isEqualTo("shipped");
        assertThat(input.costUsd()).isEqualByComparingTo("0.0042");
        assertThat(input.parsedOutput().get("label").asText()).isEqualTo("order");
        assertThat(input.metadata()).containsEntry("promptTemplate", "support-answer");
        assertThat(input.attributes()).containsEntry("retries", 2);
    }

    @Test
    void aFullDecisionDecodesIntoEveryComponentOfTheCollectorsDecisionInput() throws Exception {
        Decision decision = Decision.of("d-42")
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .feature("support")
                .input("where is my order?")
                .retrieved("doc-1", 0.9, "Orders ship in 2 days")
                .retrievedHash("doc-2", 0.5, "ab12")
                .promptTemplate("support-answer")
                .promptVersion("v3")
                .model("gpt-4o")
                .output("in 2 days")
                .parsedOutputJson("{\"days\":2}")
                .parseError("none")
                .error("Timeout")
                .costUsd(new BigDecimal("0.01"))
                .latency(Duration.ofMillis(1500))
                .occurredAt(START)
                .metadata("tier", "pro")
                .build();

        DecisionInput input = decode(decision.json(), DecisionInput.class);

        assertEveryComponentSet(input);
        assertThat(input.decisionId()).isEqualTo("d-42");
        assertThat(input.status()).isEqualTo(Outcome.ERROR);
        assertThat(input.occurredAt()).isEqualTo(START);
        assertThat(input.retrievalResults())
                .containsExactly(
                        new DecisionInput.Retrieved("doc-1", 0.9, "Orders ship in 2 days", null),
                        new DecisionInput.Retrieved("doc-2", 0.5, null, "ab12"));
    }

    @Test
    void feedbackDecodesIntoFeedbackServicesInputWithTheKeyAsAHeader() throws Exception {
        for (FeedbackSignal signal : FeedbackSignal.values()) {
            Feedback feedback = Feedback.of("d-42", signal)
                    .correction("5 business days")
                    .feedbackText("wrong")
                    .userId("u-1")
                    .occurredAt(START)
                    .idempotencyKey("k-1")
                    .build();

            FeedbackInput input = decode(feedback.json(), FeedbackInput.class);

            // the key travels as the Idempotency-Key header, which feedback-service puts into the input
            assertEveryComponentSet(input.withIdempotencyKey(feedback.idempotencyKey()));
            assertThat(feedback.json().has("idempotencyKey")).isFalse();
            assertThat(FeedbackSignal.parse(input.signal())).isEqualTo(signal);
            assertThat(input.occurredAt()).isEqualTo(START);
        }
    }

    @Test
    void aFieldTheCollectorDoesNotReadFailsTheDecoding() {
        JsonNode misnamed = Span.llm("gpt-4o").build().toJson().put("tool", "search_docs");
        try {
            decode(misnamed, SpanInput.class);
            throw new AssertionError("an unknown field was accepted");
        } catch (Exception e) {
            assertThat(e).hasMessageContaining("\"tool\"");
        }
    }

    private static <T> T decode(JsonNode json, Class<T> type) throws Exception {
        // through the bytes the client sends, not the tree, so the encoding is part of the test
        return SERVICE_MAPPER.readValue(Json.bytes(json), type);
    }

    private static void assertEveryComponentSet(Record input) throws ReflectiveOperationException {
        List<String> unset = new ArrayList<>();
        for (RecordComponent component : input.getClass().getRecordComponents()) {
            Object value = component.getAccessor().invoke(input);
            if (value == null
                    || value instanceof Map<?, ?> map && map.isEmpty()
                    || value instanceof List<?> list && list.isEmpty()) {
                unset.add(component.getName());
            }
        }
        assertThat(unset)
                .as(
                        "components of %s the client did not write",
                        input.getClass().getSimpleName())
                .isEmpty();
    }
}
