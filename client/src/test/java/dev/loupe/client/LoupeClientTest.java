package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contracts.events.FeedbackSignal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the client does without sending anything: the rest is proven against the real services (e2e ClientIT). */
class LoupeClientTest {

    @Test
    void afterCloseSendingDropsAndCountsAndFlushReturnsAtOnce() {
        LoupeClient client =
                LoupeClient.builder().collector("http://127.0.0.1:9", "key").build();
        client.close();
        client.close();

        assertThat(client.send(Span.llm("m").build())).isFalse();
        assertThat(client.send(Decision.create().build())).isFalse();
        assertThat(client.flush(Duration.ofSeconds(1))).isTrue();
        assertThat(client.metrics()).isEqualTo(new ClientMetrics(0, 0, 0, 2, 0, 0, 0, 0));
    }

    @Test
    void eachHalfNeedsItsOwnSettings() {
        try (LoupeClient feedbackOnly =
                LoupeClient.builder().feedback("http://127.0.0.1:9/", "pk").build()) {
            assertThatThrownBy(() -> feedbackOnly.send(Span.llm("m").build()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("collector");
        }
        try (LoupeClient collectorOnly =
                LoupeClient.builder().collector("http://127.0.0.1:9", "k").build()) {
            assertThatThrownBy(() -> collectorOnly.feedback(
                            Feedback.of("d", FeedbackSignal.CORRECT).build()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("feedback");
        }
        assertThatThrownBy(() -> LoupeClient.builder().build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsAreCheckedWhenTheyAreMade() {
        assertThatThrownBy(() -> LoupeClient.builder().collector("ftp://x", "k"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoupeClient.builder().collector("http://x", " "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoupeClient.builder().queueCapacity(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoupeClient.builder().flushInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoupeClient.builder().retryBudget(3, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
