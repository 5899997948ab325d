package dev.loupe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The demo's on-call: an HTTP endpoint that alert-manager's webhook receiver posts to (Prometheus
 * Alertmanager's webhook payload, version 4), keeping every notification it heard.
 */
final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Notification> received = new ArrayList<>();

    WebhookReceiver(int port, Consumer<Notification> onNotification) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/alerts", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                JsonNode payload = mapper.readTree(body);
                for (JsonNode alert : payload.path("alerts")) {
                    JsonNode annotations = alert.path("annotations");
                    Notification n = new Notification(
                            Instant.now(),
                            alert.path("status").asText(),
                            alert.path("labels").path("alertname").asText(),
                            alert.path("labels"),
                            annotations.path("owner").asText(null),
                            annotations.path("runbookUrl").asText(null),
                            annotations.path("summary").asText(null));
                    synchronized (received) {
                        received.add(n);
                    }
                    onNotification.accept(n);
                }
                exchange.sendResponseHeaders(200, -1);
            } catch (IOException | RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
    }

    List<Notification> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
