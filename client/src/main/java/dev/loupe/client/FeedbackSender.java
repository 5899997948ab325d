package dev.loupe.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code POST /v1/feedback} on the feedback-service with the project's public key, on the caller's thread. */
final class FeedbackSender {
    private final HttpClient http;
    private final URI endpoint;
    private final String authorization;
    private final Duration requestTimeout;

    FeedbackSender(HttpClient http, String feedbackService, String publicKey, Duration requestTimeout) {
        this.http = http;
        this.endpoint = URI.create(feedbackService + "/v1/feedback");
        this.authorization = "Bearer " + publicKey;
        this.requestTimeout = requestTimeout;
    }

    /** The stored feedback's id (the first one's, when the idempotency key was used before). */
    String send(Feedback feedback) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(feedback.json())));
        if (feedback.idempotencyKey() != null) {
            request.header("Idempotency-Key", feedback.idempotencyKey());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FeedbackException(0, e.toString(), null, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FeedbackException(0, "interrupted", null, null, e);
        }
        if (response.statusCode() / 100 != 2) {
            Problem problem = Problem.parse(response.body());
            throw new FeedbackException(
                    response.statusCode(), problem.title(), problem.detail(), problem.field(), null);
        }
        JsonNode id = Problem.parseObject(response.body()).get("feedbackId");
        if (id == null || !id.isTextual()) {
            throw new FeedbackException(
                    response.statusCode(), "no feedbackId in the answer", response.body(), null, null);
        }
        return id.asText();
    }
}
