package dev.loupe.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker + controller) inside this JVM,
 * on random loopback ports. Starts in about two seconds.
 *
 * <p>Kafka's public APIs (the clients, {@code Admin}) cover talking to a broker, not being one: Kafka 4.1 has no
 * public API to format a KRaft log directory or to start a node in-process. So this class uses the two entry
 * points the {@code kafka-storage.sh} and {@code kafka-server-start.sh} scripts use: {@code StorageTool} (given the
 * same arguments as the script) and {@code KafkaRaftServer} (what {@code kafka.Kafka}'s main starts). Kafka's own
 * test kit ({@code KafkaClusterTestKit}, in a test artifact) wraps the same classes and is no more public.
 * Everything a test does against the broker (topics, offsets, records) goes through the public clients.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private final Path dataDir;
    private final int brokerPort;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, int brokerPort, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.server = server;
    }

    public static EmbeddedKafkaBroker start() {
        try {
            Path dir = Files.createTempDirectory("loupe-kafka-");
            int brokerPort = freePort();
            int controllerPort = freePort();
            Properties props = serverProperties(dir.resolve("data"), brokerPort, controllerPort);
            formatStorage(props, dir.resolve("server.properties"));
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            return new EmbeddedKafkaBroker(dir, brokerPort, server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The properties of a combined single-node KRaft server: {@link StackSettings}, shared with bin/loupe's broker. */
    public static Properties serverProperties(Path logDir, int brokerPort, int controllerPort) {
        return StackSettings.kafkaServerProperties(logDir, brokerPort, controllerPort);
    }

    /** Writes {@code props} to {@code file} and formats the log directory it names, with a new cluster id. */
    static void formatStorage(Properties props, Path file) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            props.store(out, "Loupe test broker");
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc = StorageTool.execute(
                new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()},
                new PrintStream(log, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("kafka storage format failed: " + log.toString(StandardCharsets.UTF_8));
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
