package dev.loupe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.awaitility.Awaitility;

/**
 * A real Kafka broker (KRaft) in a child JVM, started from this JVM's classpath: for system tests that
 * want every component as its own process. The data directory survives {@link #kill()} and {@link #start()}.
 */
public final class KafkaProcess implements AutoCloseable {
    private final Path dir;
    private final int brokerPort;
    private final Path config;
    private Process process;

    private KafkaProcess(Path dir, int brokerPort, Path config) {
        this.dir = dir;
        this.brokerPort = brokerPort;
        this.config = config;
    }

    /** Formats a fresh data directory under {@code dir} and starts the broker. */
    public static KafkaProcess start(Path dir) {
        try {
            Files.createDirectories(dir);
            int brokerPort = EmbeddedKafkaBroker.freePort();
            Properties props = EmbeddedKafkaBroker.serverProperties(
                    dir.resolve("data"), brokerPort, EmbeddedKafkaBroker.freePort());
            Path config = dir.resolve("server.properties");
            EmbeddedKafkaBroker.formatStorage(props, config);
            KafkaProcess kafka = new KafkaProcess(dir, brokerPort, config);
            kafka.start();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** (Re)starts the broker process on the same port and data directory, and waits until it listens. */
    public void start() {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        java.toString(),
                        "-Xmx512m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "kafka.Kafka",
                        config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("kafka.log").toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Awaitility.await("Kafka listening on " + brokerPort + " (log: " + dir.resolve("kafka.log") + ")")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> listening() || !process.isAlive());
        if (!process.isAlive()) {
            throw new IllegalStateException("Kafka exited at start; see " + dir.resolve("kafka.log"));
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the broker without a clean shutdown. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", brokerPort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
