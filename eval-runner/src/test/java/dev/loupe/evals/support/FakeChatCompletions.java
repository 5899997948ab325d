package dev.loupe.evals.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for an OpenAI-compatible provider (a third party the tests cannot reach): it serves
 * {@code POST /v1/chat/completions} in the real wire format (chat.completion objects, usage, the error
 * envelope, Retry-After on 429), records every request, and answers from a script so tests can stage
 * malformed answers, rate limits, outages and slow responses.
 */
public final class FakeChatCompletions {
    /** One staged answer; {@code delayMillis} longer than the client's timeout is a timeout. */
    public record Reply(int status, String body, long delayMillis) {}

    /** A request as received. */
    public record Received(String authorization, JsonObject body) {}

    private final Vertx vertx = Vertx.vertx();
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private Reply fallback = ok("{\"score\": 1, \"reason\": \"meets the rubric\"}", 100, 10);
    private HttpServer server;

    public int start() throws Exception {
        server = vertx.createHttpServer().requestHandler(request -> {
            if (!request.path().equals("/v1/chat/completions")
                    || !request.method().name().equals("POST")) {
                request.response()
                        .setStatusCode(404)
                        .putHeader("Content-Type", "application/json")
                        .end(error(
                                "Unknown request URL: " + request.method() + " " + request.path(),
                                "invalid_request_error",
                                "unknown_url"));
                return;
            }
            request.body().onSuccess(buffer -> {
                received.add(new Received(request.getHeader("Authorization"), buffer.toJsonObject()));
                Reply reply = next();
                Runnable answer = () -> {
                    var response = request.response()
                            .setStatusCode(reply.status())
                            .putHeader("Content-Type", "application/json");
                    if (reply.status() == 429) {
                        response.putHeader("Retry-After", "1");
                    }
                    response.end(reply.body());
                };
                if (reply.delayMillis() > 0) {
                    vertx.setTimer(reply.delayMillis(), id -> answer.run());
                } else {
                    answer.run();
                }
            });
        });
        return server.listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    public void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public synchronized void then(Reply... replies) {
        script.addAll(List.of(replies));
    }

    /** What is answered once the script is used up. */
    public synchronized void always(Reply reply) {
        fallback = reply;
    }

    public synchronized void reset() {
        script.clear();
        received.clear();
        fallback = ok("{\"score\": 1, \"reason\": \"meets the rubric\"}", 100, 10);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    private synchronized Reply next() {
        return script.isEmpty() ? fallback : script.poll();
    }

    /** A {@code chat.completion} whose assistant message is {@code content}. */
    public static Reply ok(String content, int promptTokens, int completionTokens) {
        JsonObject body = new JsonObject()
                .put("id", "chatcmpl-" + Long.toHexString(System.nanoTime()))
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", "gpt-4o-mini-2024-07-18")
                .put(
                        "choices",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("index", 0)
                                        .put(
                                                "message",
                                                new JsonObject()
                                                        .put("role", "assistant")
                                                        .put("content", content)
                                                        .putNull("refusal"))
                                        .putNull("logprobs")
                                        .put("finish_reason", "stop")))
                .put(
                        "usage",
                        new JsonObject()
                                .put("prompt_tokens", promptTokens)
                                .put("completion_tokens", completionTokens)
                                .put("total_tokens", promptTokens + completionTokens))
                .put("system_fingerprint", "fp_test");
        return new Reply(200, body.encode(), 0);
    }

    public static Reply rateLimited() {
        return new Reply(
                429,
                error(
                        "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3.",
                        "requests",
                        "rate_limit_exceeded"),
                0);
    }

    public static Reply unavailable() {
        return new Reply(503, error("The server is overloaded or not ready yet.", "server_error", null), 0);
    }

    public static Reply slow(long millis) {
        Reply ok = ok("{\"score\": 1, \"reason\": \"late\"}", 1, 1);
        return new Reply(ok.status(), ok.body(), millis);
    }

    static String error(String message, String type, String code) {
        return new JsonObject()
                .put(
                        "error",
                        new JsonObject()
                                .put("message", message)
                                .put("type", type)
                                .putNull("param")
                                .put("code", code))
                .encode();
    }
}
