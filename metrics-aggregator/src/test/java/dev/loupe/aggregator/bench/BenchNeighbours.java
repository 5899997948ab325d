package dev.loupe.aggregator.bench;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Plays alert-manager and eval-runner for the benchmark's dashboard views, which forward {@code GET /v1/rules}
 * (quality) and {@code GET /v1/datasets} (feedback) to them: answers at once with a few rules (a static threshold
 * and two baseline bands the quality chart computes in the browser) and one regression dataset per feature, so the
 * views draw what they would in a deployment. The neighbours' own time is not part of the measurement; the
 * forwarding hop through the aggregator is.
 */
public class BenchNeighbours implements QuarkusTestResourceLifecycleManager {
    static final String RULES = """
            {"rules": [
              {"id": "quality-floor", "metric": "eval_score_mean", "groupBy": ["feature", "evaluator"],
               "filter": {"feature": "support-rag"}, "condition": {"type": "static", "direction": "below", "value": 0.7},
               "for": "PT5M", "severity": "warning", "owner": "team-ml-quality", "enabled": true},
              {"id": "quality-drift", "metric": "eval_score_mean", "groupBy": ["feature", "evaluator"], "filter": {},
               "condition": {"type": "baseline", "direction": "below", "k": 3, "baselineWindows": 60,
                             "minBaselineWindows": 10, "minSampleSize": 20},
               "for": "PT10M", "severity": "warning", "owner": "team-ml-quality", "enabled": true},
              {"id": "pass-rate-drift", "metric": "eval_pass_rate", "groupBy": ["feature", "evaluator"], "filter": {},
               "condition": {"type": "robust", "direction": "below", "k": 4, "baselineWindows": 60},
               "for": "PT10M", "severity": "critical", "owner": "team-ml-quality", "enabled": true},
              {"id": "errors", "metric": "error_rate", "groupBy": ["feature"], "filter": {},
               "condition": {"type": "static", "direction": "above", "value": 0.1},
               "for": "PT2M", "severity": "critical", "owner": "team-platform", "enabled": true}
            ]}""";
    static final String DATASETS = """
            {"datasets": [
              {"name": "support-rag", "cases": 412, "updatedAt": "2026-11-20T10:00:00Z"},
              {"name": "summarise", "cases": 97, "updatedAt": "2026-11-19T08:30:00Z"},
              {"name": "classify", "cases": 1530, "updatedAt": "2026-11-21T17:45:00Z"},
              {"name": "agent", "cases": 58, "updatedAt": "2026-11-18T12:00:00Z"},
              {"name": "search", "cases": 240, "updatedAt": "2026-11-21T09:15:00Z"}
            ]}""";

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            String body = switch (path) {
                case "/v1/rules" -> RULES;
                case "/v1/datasets" -> DATASETS;
                default -> null;
            };
            byte[] answer =
                    (body == null ? "{\"status\":404,\"title\":\"Not Found\"}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders()
                    .add("Content-Type", body == null ? "application/problem+json" : "application/json");
            exchange.sendResponseHeaders(body == null ? 404 : 200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("loupe.dashboard.alert-manager-url", url, "loupe.dashboard.eval-runner-url", url);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
