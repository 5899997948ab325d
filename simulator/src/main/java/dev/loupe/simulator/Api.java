package dev.loupe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** The operator's side of the demo (creating the project, configuring, reading results): plain JSON over HTTP. */
final class Api {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    JsonNode get(URI base, String path, Map<String, String> query, String key) {
        String q = query.isEmpty()
                ? ""
                : "?"
                        + query.entrySet().stream()
                                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(base.resolve(path + q)).GET(), key);
    }

    JsonNode put(URI base, String path, Object body, String key) {
        return send(HttpRequest.newBuilder(base.resolve(path)).PUT(json(body)), key);
    }

    JsonNode post(URI base, String path, Object body, String key) {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(json(body)), key);
    }

    /** A service that did not answer: the stack is down or elsewhere. */
    static final class Unreachable extends RuntimeException {
        Unreachable(String base, IOException cause) {
            super(
                    "cannot reach " + base + " (" + cause.getClass().getSimpleName()
                            + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + "): is the stack up?",
                    cause);
        }
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode send(HttpRequest.Builder request, String key) {
        request.header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30));
        HttpRequest built = request.build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(response.body());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(built.method() + " "
                        + built.uri().getPath() + " answered "
                        + response.statusCode() + ": " + body.path("title").asText("") + " "
                        + body.path("detail").asText(response.body()));
            }
            return body;
        } catch (IOException e) {
            throw new Unreachable(built.uri().getScheme() + "://" + built.uri().getAuthority(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
