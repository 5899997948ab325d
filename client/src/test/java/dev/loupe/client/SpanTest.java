package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SpanTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void anLlmSpanIsTheCollectorsNativeJson() {
        Span span = Span.llm("gpt-4o")
                .provider("openai")
                .name("chat gpt-4o")
                .traceId(TRACE)
                .spanId("00f067aa0ba902b7")
                .parentSpanId("00f067aa0ba902b6")
                .startTime(Instant.parse("2026-11-27T10:00:00Z"))
                .endTime(Instant.parse("2026-11-27T10:00:01.250Z"))
                .timeToFirstToken(Duration.ofMillis(300))
                .tokens(812, 143)
                .cachedInputTokens(100L)
                .reasoningTokens(20L)
                .costUsd(new BigDecimal("0.00346"))
                .prompt("What is the refund policy?")
                .completion("{\"days\": 30}")
                .parsedOutputJson("{\"days\": 30}")
                .feature("support-chat")
                .sessionId("s-1")
                .userId("u-42")
                .decisionId("d-1")
                .promptTemplate("refund-answer")
                .promptVersion("7")
                .metadata("tier", "pro")
                .attribute("temperature", 0.2)
                .build();

        assertThat(Json.parse(span.toString())).as("as sent").isEqualTo(Json.parse("""
                {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b7", "kind": "LLM",
                 "startTime": "2026-11-27T10:00:00Z", "model": "gpt-4o", "provider": "openai", "name": "chat gpt-4o",
                 "parentSpanId": "00f067aa0ba902b6", "endTime": "2026-11-27T10:00:01.250Z", "timeToFirstTokenMs": 300,
                 "inputTokens": 812, "outputTokens": 143, "cachedInputTokens": 100, "reasoningTokens": 20,
                 "costUsd": 0.00346, "prompt": "What is the refund policy?", "completion": "{\\"days\\": 30}",
                 "parsedOutput": {"days": 30}, "feature": "support-chat", "sessionId": "s-1", "userId": "u-42",
                 "decisionId": "d-1",
                 "metadata": {"promptTemplate": "refund-answer", "promptVersion": "7", "tier": "pro"},
                 "attributes": {"temperature": 0.2}}
                """));
        assertThat(span.toJson().get("costUsd").isNumber())
                .as("money is a JSON number")
                .isTrue();
    }

    @Test
    void aNewSpanHasNewIdsAndStartsNowAndAbsentFieldsAreLeftOut() {
        Instant before = Instant.now();
        JsonNode json = Span.of(SpanKind.CHAIN).build().toJson();

        assertThat(json.get("traceId").asText()).matches("[0-9a-f]{32}");
        assertThat(json.get("spanId").asText()).matches("[0-9a-f]{16}");
        assertThat(Instant.parse(json.get("startTime").asText())).isBetween(before, Instant.now());
        assertThat(json.get("kind").asText()).isEqualTo("CHAIN");
        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("traceId", "spanId", "kind", "startTime");
    }

    @Test
    void timesAreSentToTheMicrosecondThePrecisionTheSpanIsStoredWith() {
        Instant nanos = Instant.parse("2026-11-27T10:00:00.123456789Z");
        JsonNode json = Span.llm("m")
                .startTime(nanos)
                .endTime(nanos.plusNanos(999))
                .build()
                .toJson();

        assertThat(json.get("startTime").asText()).isEqualTo("2026-11-27T10:00:00.123456Z");
        assertThat(json.get("endTime").asText()).isEqualTo("2026-11-27T10:00:00.123457Z");
        assertThat(Span.llm("m").end().build().toJson().get("endTime").asText())
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z");
    }

    @Test
    void kindsErrorsAndChildren() {
        Span root = Span.of(SpanKind.AGENT).build();
        Span tool = Span.tool("search_web")
                .childOf(root)
                .error("TimeoutError", "search took too long")
                .end()
                .build();
        Span retrieval = Span.retrieval("vector-search")
                .childOf(root)
                .status(Outcome.SUCCESS)
                .build();

        assertThat(tool.traceId()).isEqualTo(root.traceId());
        assertThat(tool.toJson().get("parentSpanId").asText()).isEqualTo(root.spanId());
        assertThat(tool.spanId()).isNotEqualTo(root.spanId());
        assertThat(tool.toJson().get("kind").asText()).isEqualTo("TOOL");
        assertThat(tool.toJson().get("toolName").asText()).isEqualTo("search_web");
        assertThat(tool.toJson().get("status").asText()).isEqualTo("ERROR");
        assertThat(tool.toJson().get("errorType").asText()).isEqualTo("TimeoutError");
        assertThat(tool.toJson().get("errorMessage").asText()).isEqualTo("search took too long");
        assertThat(tool.toJson().has("endTime")).isTrue();
        assertThat(retrieval.toJson().get("kind").asText()).isEqualTo("RETRIEVAL");
        assertThat(retrieval.toJson().get("name").asText()).isEqualTo("vector-search");
    }

    @Test
    void nullRemovesAFieldAndTheBuiltSpanNoLongerChanges() {
        Span.Builder builder = Span.llm("gpt-4o").feature("a").metadata("tier", "pro");
        Span first = builder.build();
        Span second = builder.feature(null).metadata("tier", null).model(null).build();

        assertThat(first.toJson().get("feature").asText()).isEqualTo("a");
        assertThat(first.toJson().get("metadata").get("tier").asText()).isEqualTo("pro");
        assertThat(second.toJson().has("feature")).isFalse();
        assertThat(second.toJson().has("metadata")).isFalse();
        assertThat(second.toJson().has("model")).isFalse();
    }

    @Test
    void badIdsAndBadParsedOutputAreRefusedAtOnce() {
        assertThatThrownBy(() -> Span.llm("m").traceId("4BF92F3577B34DA6A3CE929D0E0E4736"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("traceId");
        assertThatThrownBy(() -> Span.llm("m").spanId("0000000000000000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spanId");
        assertThatThrownBy(() -> Span.llm("m").parentSpanId("xyz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parentSpanId");
        assertThatThrownBy(() -> Span.llm("m").parsedOutputJson("{not json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
    }
}
