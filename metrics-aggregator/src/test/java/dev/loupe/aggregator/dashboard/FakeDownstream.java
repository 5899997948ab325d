package dev.loupe.aggregator.dashboard;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Plays alert-manager and eval-runner for the forwarding tests: answers every request with 201 and a JSON echo
 * of what arrived (method, path, Authorization, Content-Type, body), except the dataset export, which answers
 * NDJSON as an attachment, and {@code /v1/rules}, which answers 403 as a service refusing the key would.
 */
public class FakeDownstream implements QuarkusTestResourceLifecycleManager {
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getRawPath();
            byte[] answer;
            int status;
            if (path.endsWith("/export")) {
                status = 200;
                exchange.getResponseHeaders().add("Content-Type", "application/x-ndjson");
                exchange.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"support-rag.jsonl\"");
                answer = "{\"caseId\":\"c1\"}\n{\"caseId\":\"c2\"}\n".getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("/v1/rules")) {
                status = 403;
                exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                answer = "{\"status\":403,\"title\":\"Forbidden\"}".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 201;
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                answer = ("{\"method\":" + quote(exchange.getRequestMethod()) + ",\"path\":" + quote(path)
                                + ",\"authorization\":"
                                + quote(exchange.getRequestHeaders().getFirst("Authorization"))
                                + ",\"contentType\":"
                                + quote(exchange.getRequestHeaders().getFirst("Content-Type"))
                                + ",\"body\":" + quote(body) + "}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("loupe.dashboard.alert-manager-url", url, "loupe.dashboard.eval-runner-url", url + "/");
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
