package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DecisionTest {

    @Test
    void aDecisionIsTheCollectorsNativeJsonWithRetrievalResults() {
        Decision decision = Decision.of("d-1")
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .feature("support-rag")
                .input("How long do refunds take?")
                .retrieved("kb-12", 0.83, "Refunds are processed within 5 days.")
                .retrievedHash("kb-40", null, "9f86d081884c7d65")
                .promptTemplate("refund-answer")
                .promptVersion("7")
                .model("gpt-4o")
                .output("{\"days\": 5}")
                .parsedOutputJson("{\"days\": 5}")
                .costUsd(new BigDecimal("0.0021"))
                .latency(Duration.ofMillis(1250))
                .occurredAt(Instant.parse("2026-11-27T10:00:01.250Z"))
                .metadata("tier", "pro")
                .build();

        assertThat(Json.parse(decision.toString())).as("as sent").isEqualTo(Json.parse("""
                {"decisionId": "d-1", "occurredAt": "2026-11-27T10:00:01.250Z",
                 "traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "feature": "support-rag",
                 "input": "How long do refunds take?",
                 "retrievalResults": [{"docId": "kb-12", "score": 0.83, "text": "Refunds are processed within 5 days."},
                                      {"docId": "kb-40", "textHash": "9f86d081884c7d65"}],
                 "promptTemplate": "refund-answer", "promptVersion": "7", "model": "gpt-4o",
                 "output": "{\\"days\\": 5}", "parsedOutput": {"days": 5}, "costUsd": 0.0021, "latencyMs": 1250,
                 "metadata": {"tier": "pro"}}
                """));
    }

    @Test
    void aNewDecisionHasAnIdAndOccursNowAndAnErrorSetsTheStatus() {
        Decision decision = Decision.create().error("ContentFilter").build();

        assertThat(decision.decisionId()).isNotBlank();
        assertThat(decision.toJson().get("occurredAt").asText()).isNotBlank();
        assertThat(decision.toJson().get("status").asText()).isEqualTo("ERROR");
        assertThat(decision.toJson().get("errorType").asText()).isEqualTo("ContentFilter");
        assertThat(Decision.create().build().decisionId()).isNotEqualTo(decision.decisionId());
    }

    @Test
    void missingIdsAreRefusedAtOnce() {
        assertThatThrownBy(() -> Decision.of(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.create().retrieved(null, 0.5, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.create().traceId("abc")).isInstanceOf(IllegalArgumentException.class);
    }
}
