package dev.loupe.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.client.ClientMetrics;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A failed feedback call is reported with its cause, so a soak that loses feedback says why. */
class SoakFailureCauseTest {

    @Test
    void aCauseNamesTheExceptionItsFirstLineAndItsCause() {
        RuntimeException e = new UncheckedIOException(
                "feedback not answered\nsecond line", new HttpTimeoutException("request timed out"));

        assertThat(Soak.cause(e))
                .isEqualTo("UncheckedIOException: feedback not answered (HttpTimeoutException: request timed out)");
        assertThat(Soak.cause(new IllegalStateException())).isEqualTo("IllegalStateException");
        assertThat(Soak.cause(new IllegalStateException("x".repeat(500))))
                .hasSize(200)
                .endsWith("…");
    }

    @Test
    void progressListsTheCausesMostFrequentFirst() {
        Soak.Progress progress = new Soak.Progress(
                Instant.EPOCH,
                0,
                0,
                10,
                7,
                new ClientMetrics(0, 0, 0, 0, 0, 0, 0, 0),
                0,
                true,
                Map.of("FeedbackException: 429 Too Many Requests", 2L, "HttpTimeoutException: timed out", 5L));

        assertThat(progress.feedbackFailureCauses())
                .isEqualTo("5 × HttpTimeoutException: timed out; 2 × FeedbackException: 429 Too Many Requests");
        assertThat(new Soak.Progress(Instant.EPOCH, 0, 0, 0, 0, progress.client(), 0, true, Map.of())
                        .feedbackFailureCauses())
                .isEmpty();
    }
}
