package dev.loupe.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** One packaged Loupe service ({@code target/quarkus-app/quarkus-run.jar}) running as its own JVM. */
public final class ServiceProcess {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path jar;
    private final int port;
    private final Map<String, String> environment;
    private final Path log;
    private Process process;

    ServiceProcess(String name, Path repoRoot, int port, Map<String, String> environment, Path logDir) {
        this(
                name,
                port,
                repoRoot.resolve(name).resolve("target/quarkus-app/quarkus-run.jar"),
                logDir.resolve(name + ".log"),
                environment);
    }

    private ServiceProcess(String name, int port, Path jar, Path log, Map<String, String> environment) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.environment = environment;
        this.log = log;
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the services first (./mvnw package)");
        }
    }

    /** Another replica of this service: the same jar and environment, its own port and log ({@code <name>-<n>.log}). */
    ServiceProcess replica(int n, int replicaPort) {
        return new ServiceProcess(name, replicaPort, jar, log.resolveSibling(name + "-" + n + ".log"), environment);
    }

    void start() {
        start(Map.of(), null);
    }

    /**
     * Starts the JVM with {@code extraEnv} on top of the stack's environment (a fault test arms a failpoint) and
     * {@code jvmArgs} instead of the default flags when not null (a fault test shrinks the heap).
     */
    void start(Map<String, String> extraEnv, String jvmArgs) {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString()));
        // tests favour start-up (C1 only, small heap); benchmarks pass loupe.e2e.jvm-args for steady state
        String flags = jvmArgs != null
                ? jvmArgs
                : System.getProperty("loupe.e2e.jvm-args", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        command.addAll(List.of(flags.trim().split("\\s+")));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        builder.environment().putAll(extraEnv);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitReady() {
        Awaitility.await(name + " ready (log: " + log + ")")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> !process.isAlive() || ready());
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited during start-up; see " + log);
        }
    }

    public boolean ready() {
        try {
            HttpResponse<Void> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Kills the JVM at once (SIGKILL): no shutdown hook, no clean consumer close. */
    void kill() {
        process.destroyForcibly();
        waitForExit(10);
    }

    void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!waitForExit(20)) {
                kill();
            }
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Resident set size of the service's JVM in KiB (Linux {@code /proc/<pid>/status} VmRSS), or -1. */
    public long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    String name() {
        return name;
    }

    /** The file the JVM's standard output and error go to (appended across restarts). */
    Path log() {
        return log;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Waits up to {@code timeout} for the JVM to exit on its own; its exit code, or -1 if it still runs. */
    int awaitExit(Duration timeout) {
        return waitForExit((int) timeout.toSeconds()) ? process.exitValue() : -1;
    }

    /** The JVM's process id (for /proc and jcmd). */
    public long pid() {
        return process.pid();
    }

    private boolean waitForExit(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
