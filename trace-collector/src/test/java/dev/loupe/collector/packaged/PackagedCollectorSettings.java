package dev.loupe.collector.packaged;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * What an operator sets for the trace-collector in production, beyond the database and Kafka that
 * {@code PostgresTestResource} and {@code KafkaTestResource} give: the packaged artifact runs the {@code prod}
 * profile, where no {@code %test.} default applies. The canary proves redaction runs in the artifact.
 */
public class PackagedCollectorSettings implements QuarkusTestResourceLifecycleManager {
    public static final String CANARY = "CANARY-packaged-3b1d-DO-NOT-LEAK";

    @Override
    public Map<String, String> start() {
        // the packaged jar runs in the prod profile: its gRPC server would take 4317, which another stack may hold
        return Map.of(
                "loupe.identifiers.secret",
                "packaged-test-identifier-secret",
                "loupe.redaction.canary",
                CANARY,
                "quarkus.grpc.server.port",
                Integer.toString(freePort()));
    }

    @Override
    public void stop() {
        // nothing was started
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
