package dev.loupe.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.testing.PostgresSettings;
import dev.loupe.testing.StackSettings;
import dev.loupe.testing.TestDatabase;
import dev.loupe.testing.TestSpans;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * bin/loupe as a user runs it: the real script, a stack of its own (its own state directory, free ports, its own
 * database), the jars the reactor already packaged (LOUPE_BUILD=0: it never builds). Nothing is shared with a
 * developer's stack or with the other system tests' stack.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BinLoupeIT {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(6);
    private final Path repo = Paths.get(System.getProperty("loupe.repo.root", ".."))
            .toAbsolutePath()
            .normalize();
    private final Path work =
            repo.resolve("e2e/target/bin-loupe-" + ProcessHandle.current().pid());
    private TestDatabase database;

    @BeforeAll
    void database() throws IOException {
        Files.createDirectories(work);
        database = TestDatabase.create("cli");
    }

    @AfterAll
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    /** up, status, project create, a span round trip, down (nothing left), up again (same data), down. */
    @Test
    void lifecycle() throws Exception {
        Path state = work.resolve("lifecycle");
        Map<String, String> env = stackEnv(state);
        try {
            Result up = run(env, "up");
            assertThat(up.exit()).as(up.output()).isZero();
            assertThat(up.output()).contains("Kafka: formatting").contains("Loupe is up.");

            Result again = run(env, "up");
            assertThat(again.exit()).as(again.output()).isZero();
            assertThat(again.output()).contains("Kafka: already running");
            for (String service : StackSettings.services()) {
                assertThat(again.output()).contains("  " + service + ": already running");
            }

            Result status = run(env, "status");
            assertThat(status.exit()).as(status.output()).isZero();
            assertThat(status.output())
                    .containsPattern(
                            "(?m)^kafka\\s+\\d+\\s+running\\s+ready \\(port " + port(env, "kafka") + " open\\)$");
            for (String service : StackSettings.services()) {
                assertThat(status.output())
                        .containsPattern("(?m)^" + service + "\\s+\\d+\\s+running\\s+ready \\("
                                + Pattern.quote(url(env, service)) + "\\)$");
            }
            assertThat(status.output())
                    .containsPattern("(?m)^trace-collector-grpc\\s+\\d+\\s+running\\s+ready \\(port "
                            + port(env, "trace-collector-grpc") + " open\\)$");

            // the broker bin/loupe runs has the settings of the one table, with this stack's ports filled in
            Properties written = new Properties();
            try (InputStream in = Files.newInputStream(state.resolve("kafka/server.properties"))) {
                written.load(in);
            }
            assertThat(written)
                    .isEqualTo(StackSettings.kafkaServerProperties(
                            state.resolve("kafka/data"), port(env, "kafka"), port(env, "kafka-controller")));

            Result created = run(env, "project", "create", "my-app");
            assertThat(created.exit()).as(created.output()).isZero();
            String projectId = group(created.output(), "Project my-app created: (\\S+)");
            String secret = group(created.output(), "secret\\s+\\(ingest, read\\)\\s+(\\S+)");

            TestSpans span = TestSpans.llm().with("feature", "cli");
            given().auth()
                    .oauth2(secret)
                    .contentType(ContentType.JSON)
                    .body(TestSpans.batch(span))
                    .post(url(env, "trace-collector") + "/v1/spans")
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(1));
            JsonPath trace = awaitTrace(env, secret, span.traceId());
            assertThat(trace.getString("spans[0].spanId")).isEqualTo(span.spanId());
            assertThat(trace.getString("spans[0].projectId")).isEqualTo(projectId);

            String clusterId = clusterId(state);
            List<Long> pids = recordedPids(state);
            assertThat(pids).hasSize(1 + StackSettings.services().size());

            down(env, state, pids);

            Result restarted = run(env, "up");
            assertThat(restarted.exit()).as(restarted.output()).isZero();
            assertThat(restarted.output()).doesNotContain("Kafka: formatting").contains("keys kept from");
            assertThat(clusterId(state))
                    .as("the broker's data survives down and up")
                    .isEqualTo(clusterId);
            given().auth()
                    .oauth2(secret)
                    .get(url(env, "metrics-aggregator") + "/v1/whoami")
                    .then()
                    .statusCode(200);
            assertThat(awaitTrace(env, secret, span.traceId()).getString("spans[0].spanId"))
                    .isEqualTo(span.spanId());

            down(env, state, recordedPids(state));
        } finally {
            run(env, "down");
        }
    }

    @Test
    void aTakenPortIsNamedBeforeAnythingStarts() throws Exception {
        Path state = work.resolve("port-taken");
        Map<String, String> env = stackEnv(state);
        try (ServerSocket taken =
                new ServerSocket(port(env, "trace-collector"), 50, InetAddress.getLoopbackAddress())) {
            Result up = run(env, "up");
            assertThat(up.exit()).as(up.output()).isNotZero();
            assertThat(up.output())
                    .contains(
                            "loupe: port " + taken.getLocalPort()
                                    + " (trace-collector) is already in use by a process bin/loupe did not start; stop it or set LOUPE_TRACE_COLLECTOR_PORT");
            assertThat(up.output()).doesNotContain("Kafka: started");
        } finally {
            run(env, "down");
        }
        assertThat(markedProcesses(state)).isEmpty();
    }

    @Test
    void postgresAbsentIsSaidSo() throws Exception {
        Path state = work.resolve("no-postgres");
        Map<String, String> env = stackEnv(state);
        int closed = freePort();
        env.put("LOUPE_PG_PORT", Integer.toString(closed));
        Result up = run(env, "up");
        assertThat(up.exit()).as(up.output()).isNotZero();
        assertThat(up.output()).contains("loupe: no PostgreSQL server answers on 127.0.0.1:" + closed);
        assertThat(markedProcesses(state)).isEmpty();
    }

    /** A checkout without packaged services (a copy of the script and its table only), building turned off. */
    @Test
    void aMissingJarIsNamedWithTheCommandThatBuildsIt() throws Exception {
        Path checkout = work.resolve("no-jars");
        Path table = checkout.resolve("testing/src/main/resources").resolve(StackSettings.RESOURCE);
        Files.createDirectories(checkout.resolve("bin"));
        Files.createDirectories(table.getParent());
        Files.copy(
                repo.resolve("bin/loupe"),
                checkout.resolve("bin/loupe"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                repo.resolve("testing/src/main/resources").resolve(StackSettings.RESOURCE),
                table,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> env = stackEnv(checkout.resolve(".loupe"));
        Result up = run(checkout.resolve("bin/loupe"), env, "up");
        assertThat(up.exit()).as(up.output()).isNotZero();
        assertThat(up.output())
                .contains("loupe: missing "
                        + checkout.toRealPath().resolve("metrics-aggregator/target/quarkus-app/quarkus-run.jar"))
                .contains(
                        "loupe: 5 service jar(s) missing and LOUPE_BUILD=0; build them: ./mvnw -B package -DskipTests");
    }

    private void down(Map<String, String> env, Path state, List<Long> pids) throws Exception {
        Result down = run(env, "down");
        assertThat(down.exit()).as(down.output()).isZero();
        for (long pid : pids) {
            assertThat(Files.exists(Paths.get("/proc", Long.toString(pid))))
                    .as("pid %d after down", pid)
                    .isFalse();
        }
        try (Stream<Path> files = Files.list(state.resolve("run"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".pid")).toList())
                    .isEmpty();
        }
        assertThat(markedProcesses(state))
                .as("processes of this stack after down")
                .isEmpty();
        for (String component : List.of("kafka", "metrics-aggregator", "trace-collector")) {
            assertThat(listening(port(env, component)))
                    .as(component + "'s port after down")
                    .isFalse();
        }
    }

    /** The environment of a stack of this test's own: state directory, free ports, the test database. */
    private Map<String, String> stackEnv(Path state) {
        PostgresSettings pg = database.settings();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LOUPE_STATE_DIR", state.toString());
        env.put("LOUPE_BUILD", "0");
        // as LoupeStack's services: a fast start matters more here than peak speed
        env.put("LOUPE_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        env.put("LOUPE_PG_HOST", pg.host());
        env.put("LOUPE_PG_PORT", Integer.toString(pg.port()));
        env.put("LOUPE_PG_USER", pg.user());
        env.put("LOUPE_PG_PASSWORD", pg.password());
        env.put("LOUPE_PG_DATABASE", database.name());
        List<String> components = new ArrayList<>(List.of("kafka", "kafka-controller", "trace-collector-grpc"));
        components.addAll(StackSettings.services());
        for (String component : components) {
            env.put(portVariable(component), Integer.toString(freePort()));
        }
        return env;
    }

    private static String portVariable(String component) {
        return "LOUPE_" + component.toUpperCase().replace('-', '_') + "_PORT";
    }

    private static int port(Map<String, String> env, String component) {
        return Integer.parseInt(env.get(portVariable(component)));
    }

    private static String url(Map<String, String> env, String service) {
        return "http://127.0.0.1:" + port(env, service);
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        return run(repo.resolve("bin/loupe"), env, args);
    }

    private Result run(Path script, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        Path log = work.resolve("command-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(work.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("LOUPE_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/loupe " + String.join(" ", args) + " did not finish in " + COMMAND_TIMEOUT
                    + ":\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.printf("$ bin/loupe %s (exit %d)%n%s%n", String.join(" ", args), process.exitValue(), output);
        return new Result(process.exitValue(), output);
    }

    private JsonPath awaitTrace(Map<String, String> env, String key, String traceId) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            Response response = given().auth()
                                    .oauth2(key)
                                    .get(url(env, "metrics-aggregator") + "/v1/traces/" + traceId);
                            return response.statusCode() == 200 ? response.jsonPath() : null;
                        },
                        path -> path != null);
    }

    private static String clusterId(Path state) throws IOException {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(state.resolve("kafka/data/meta.properties"))) {
            meta.load(in);
        }
        assertThat(meta.getProperty("cluster.id")).isNotBlank();
        return meta.getProperty("cluster.id");
    }

    private static List<Long> recordedPids(Path state) throws IOException {
        try (Stream<Path> files = Files.list(state.resolve("run"))) {
            return files.filter(f -> f.toString().endsWith(".pid"))
                    .map(f -> {
                        try {
                            return Long.parseLong(Files.readString(f).trim());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    /** Every live process whose command line carries this stack's marker (-Dloupe.stack=STATE). */
    private static List<String> markedProcesses(Path state) throws IOException {
        // bin/loupe names its state directory with symbolic links resolved
        String marker = "-Dloupe.stack=" + (Files.exists(state) ? state.toRealPath() : state.toAbsolutePath()) + "\0";
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains(marker)) {
                        found.add(proc.getFileName() + ": " + cmdline.replace('\0', ' '));
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        }
        return found;
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in:%n%s", regex, text).isTrue();
        return m.group(1);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Result(int exit, String output) {}
}
