package dev.loupe.evals.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Starts {@link FakeChatCompletions} and points the eval-runner's judge at it (loopback allow-listed). */
public class FakeJudgeResource implements QuarkusTestResourceLifecycleManager {
    public static final String API_KEY = "sk-test-judge";
    private static FakeChatCompletions server;

    public static FakeChatCompletions server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        server = new FakeChatCompletions();
        try {
            int port = server.start();
            return Map.of(
                    "loupe.judge.base-url",
                    "http://127.0.0.1:" + port + "/v1",
                    "loupe.judge.api-key",
                    API_KEY,
                    "loupe.egress.allow",
                    "127.0.0.1",
                    "loupe.judge.timeout",
                    "1s",
                    "loupe.judge.attempt-backoff",
                    "20ms",
                    "loupe.judge.max-attempts",
                    "2");
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the fake chat-completions server", e);
        }
    }

    @Override
    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
