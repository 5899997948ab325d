package dev.loupe.alerting;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook receiver on a loopback port of the test's JVM, for tests that cannot reach the application's beans
 * ({@code @QuarkusIntegrationTest}): it answers 200 to every POST and keeps the bodies. The packaged service is told
 * its URL ({@code loupe.test.receiver-url}) and may reach loopback ({@code loupe.egress.allow}).
 */
public class LoopbackReceiverResource implements QuarkusTestResourceLifecycleManager {
    private static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    private HttpServer server;

    /** Every body received so far, oldest first. */
    public static List<String> received() {
        return List.copyOf(RECEIVED);
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                RECEIVED.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        return Map.of(
                "loupe.egress.allow",
                "127.0.0.1",
                "loupe.test.receiver-url",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
