package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contracts.events.FeedbackSignal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FeedbackTest {

    @Test
    void feedbackIsTheServicesJsonAndTheIdempotencyKeyTravelsApart() {
        Feedback feedback = Feedback.of("d-1", FeedbackSignal.THUMBS_DOWN)
                .correction("5 business days")
                .feedbackText("wrong number")
                .userId("u-42")
                .occurredAt(Instant.parse("2026-11-27T10:01:00Z"))
                .idempotencyKey("fb-d-1-u-42")
                .build();

        assertThat(Json.parse(feedback.toString())).as("as sent").isEqualTo(Json.parse("""
                {"decisionId": "d-1", "signal": "thumbs_down", "correction": "5 business days",
                 "feedbackText": "wrong number", "userId": "u-42", "occurredAt": "2026-11-27T10:01:00Z"}
                """));
        assertThat(feedback.idempotencyKey()).isEqualTo("fb-d-1-u-42");
    }
}
