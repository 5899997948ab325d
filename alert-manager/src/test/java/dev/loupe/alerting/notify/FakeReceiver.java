package dev.loupe.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.json.EventJson;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A receiver in the test's JVM: records every request and answers as told, or not at all. */
final class FakeReceiver implements AutoCloseable {
    record Request(String method, String path, MultiMap headers, String body) {
        JsonNode json() {
            try {
                return EventJson.mapper().readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final HttpServer server;
    private volatile int status = 200;
    private volatile String body = "";
    private volatile Map<String, String> headers = Map.of();
    private volatile boolean silent;

    private FakeReceiver(Vertx vertx) {
        server = vertx.createHttpServer()
                .requestHandler(request -> request.body().subscribe().with(received -> {
                    requests.add(new Request(
                            request.method().name(), request.uri(), request.headers(), received.toString()));
                    if (silent) {
                        return; // never answers: the notifier's timeout must end the attempt
                    }
                    var response = request.response().setStatusCode(status);
                    headers.forEach(response::putHeader);
                    response.endAndForget(body);
                }));
        server.listenAndAwait(0, "127.0.0.1");
    }

    static FakeReceiver start(Vertx vertx) {
        return new FakeReceiver(vertx);
    }

    /** Answers every following request with this status, body and header pairs (name, value, …). */
    FakeReceiver answer(int status, String body, String... headerPairs) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            pairs.put(headerPairs[i], headerPairs[i + 1]);
        }
        this.status = status;
        this.body = body;
        this.headers = pairs;
        this.silent = false;
        return this;
    }

    FakeReceiver silent() {
        this.silent = true;
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    Request take() {
        try {
            Request request = requests.poll(5, TimeUnit.SECONDS);
            assertThat(request).as("a request reached the fake receiver").isNotNull();
            return request;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int received() {
        return requests.size();
    }

    @Override
    public void close() {
        server.closeAndAwait();
    }

    static final Duration SEND_WAIT = Duration.ofSeconds(10);
}
