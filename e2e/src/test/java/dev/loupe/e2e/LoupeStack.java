package dev.loupe.e2e;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.FaultProxy;
import dev.loupe.testing.KafkaProcess;
import dev.loupe.testing.PostgresSettings;
import dev.loupe.testing.StackSettings;
import dev.loupe.testing.TestDatabase;
import dev.loupe.testing.TestProject;
import dev.loupe.testing.TestSpans;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The whole suite for system tests, started once per test JVM and shared by every test class: a Kafka
 * broker and the five packaged services, each its own process, on a fresh database, with two projects.
 */
public final class LoupeStack implements AutoCloseable {
    private static final java.util.concurrent.atomic.AtomicInteger STACKS =
            new java.util.concurrent.atomic.AtomicInteger();
    public static final String COLLECTOR = "trace-collector";
    public static final String AGGREGATOR = "metrics-aggregator";
    public static final String EVALS = "eval-runner";
    public static final String FEEDBACK = "feedback-service";
    public static final String ALERTS = "alert-manager";

    private final KafkaProcess kafka;
    private final TestDatabase database;
    private final FaultProxy postgresProxy;
    private final Map<String, ServiceProcess> services;
    private final TestProject projectA;
    private final TestProject projectB;
    private final String bootstrapToken;
    private final Map<String, String> env;

    private LoupeStack(
            KafkaProcess kafka,
            TestDatabase database,
            FaultProxy postgresProxy,
            Map<String, ServiceProcess> services,
            TestProject projectA,
            TestProject projectB,
            String bootstrapToken,
            Map<String, String> env) {
        this.postgresProxy = postgresProxy;
        this.bootstrapToken = bootstrapToken;
        this.env = Map.copyOf(env);
        this.kafka = kafka;
        this.database = database;
        this.services = services;
        this.projectA = projectA;
        this.projectB = projectB;
    }

    static LoupeStack start() {
        return start(StackSettings.services());
    }

    /**
     * The shared stack of the system tests: all five services, reaching PostgreSQL through a {@link FaultProxy}
     * that the fault tests cut and restore ({@link #postgresProxy()}).
     */
    static LoupeStack startShared() {
        return start(StackSettings.services(), Map.of(), true);
    }

    /**
     * Starts the broker and the named services in the order of {@link StackSettings#services()} (the table bin/loupe
     * starts them by): its first, the aggregator, always, and alone (it owns the schemas the others read).
     */
    static LoupeStack start(List<String> names) {
        return start(names, Map.of());
    }

    /** As {@link #start(List)}, every service also getting {@code extraEnv} (e.g. a simulated clock). */
    static LoupeStack start(List<String> names, Map<String, String> extraEnv) {
        return start(names, extraEnv, false);
    }

    private static LoupeStack start(List<String> names, Map<String, String> extraEnv, boolean proxied) {
        Path root = Paths.get(System.getProperty("loupe.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path work = root.resolve("e2e/target/e2e-stack");
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long begun = System.nanoTime();
        // a second stack in the same JVM (DemoIT's) gets a broker directory of its own
        KafkaProcess kafka = KafkaProcess.start(
                work.resolve("kafka-" + ProcessHandle.current().pid() + "-" + STACKS.incrementAndGet()));
        TestDatabase database = TestDatabase.create("e2e");
        PostgresSettings pg = database.settings();
        // benchmarks talk to PostgreSQL directly: the proxy's extra hop would be measured too
        FaultProxy postgresProxy = proxied ? FaultProxy.start(pg.host(), pg.port()) : null;
        PostgresSettings reached =
                proxied ? new PostgresSettings("127.0.0.1", postgresProxy.port(), pg.user(), pg.password()) : pg;
        String bootstrapToken = TestSpans.randomHex(32);
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", reached.jdbcUrl(database.name()));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", reached.reactiveUrl(database.name()));
        env.put("QUARKUS_DATASOURCE_USERNAME", database.settings().user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", database.settings().password());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("LOUPE_TENANCY_PEPPER", TestSpans.randomHex(32));
        env.put("LOUPE_TENANCY_BOOTSTRAP_TOKEN", bootstrapToken);
        env.put("LOUPE_IDENTIFIERS_SECRET", TestSpans.randomHex(32));
        env.put("LOUPE_EGRESS_ALLOW", "127.0.0.0/8,::1");
        // a planted value the collector and feedback-service must never let through (SecurityCanaryIT)
        env.put("LOUPE_REDACTION_CANARY", "loupe-canary-" + TestSpans.randomHex(16));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        // the collector's OTLP/gRPC server on a free port too (its default, 4317, may be another stack's)
        env.put("QUARKUS_GRPC_SERVER_HOST", "127.0.0.1");
        env.put("QUARKUS_GRPC_SERVER_PORT", Integer.toString(freePort()));
        // a consumer held by a fault turns readiness DOWN after 5 s here, not 30 s (ConsumerFaultIT waits for it)
        env.put("LOUPE_CONSUMERS_FAULT_READINESS_AFTER", "PT5S");
        env.putAll(extraEnv);
        List<String> order = StackSettings.services();
        String first = order.get(0);
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put(first, freePort());
        order.stream().filter(names::contains).forEach(name -> ports.computeIfAbsent(name, n -> freePort()));
        names.stream().filter(name -> !order.contains(name)).forEach(name -> {
            throw new IllegalArgumentException("no such service: " + name + " (known: " + order + ")");
        });
        // alerts link to the dashboard and its runbooks wherever the aggregator listens (as bin/loupe does)
        if (ports.containsKey(AGGREGATOR)) {
            env.put("LOUPE_ALERTING_EXTERNAL_URL", "http://127.0.0.1:" + ports.get(AGGREGATOR));
        }
        // the dashboard forwards acknowledge, silence and datasets to its peers, wherever they listen
        Map<String, String> aggregatorEnv = new HashMap<>(env);
        aggregatorEnv.put(
                "LOUPE_DASHBOARD_ALERT_MANAGER_URL",
                "http://127.0.0.1:" + ports.getOrDefault(ALERTS, StackSettings.defaultPort(ALERTS)));
        aggregatorEnv.put(
                "LOUPE_DASHBOARD_EVAL_RUNNER_URL",
                "http://127.0.0.1:" + ports.getOrDefault(EVALS, StackSettings.defaultPort(EVALS)));
        Map<String, ServiceProcess> services = new LinkedHashMap<>();
        ports.forEach((name, port) -> services.put(
                name, new ServiceProcess(name, root, port, name.equals(AGGREGATOR) ? aggregatorEnv : env, work)));
        // the first (the aggregator) migrates schema tenancy, which the others read: it goes first, alone
        services.get(first).start();
        services.get(first).awaitReady();
        services.values().stream().filter(s -> !s.name().equals(first)).forEach(ServiceProcess::start);
        services.values().forEach(ServiceProcess::awaitReady);
        String aggregator = services.get(AGGREGATOR).url();
        TestProject a = createProject(aggregator, bootstrapToken, "e2e-a");
        TestProject b = createProject(aggregator, bootstrapToken, "e2e-b");
        System.out.printf(
                "Loupe stack ready in %.1f s (kafka pid %d, logs in %s)%n",
                (System.nanoTime() - begun) / 1e9, kafka.pid(), work);
        return new LoupeStack(kafka, database, postgresProxy, services, a, b, bootstrapToken, env);
    }

    private static TestProject createProject(String aggregator, String bootstrapToken, String name) {
        JsonNode created = given().auth()
                .oauth2(bootstrapToken)
                .contentType("application/json")
                .body(Map.of("name", name))
                .post(aggregator + "/v1/projects")
                .then()
                .statusCode(201)
                .extract()
                .as(JsonNode.class);
        JsonNode keys = created.get("keys");
        return new TestProject(
                created.get("id").asText(),
                keys.get(0).get("key").asText(),
                keys.get(1).get("key").asText(),
                keys.get(2).get("key").asText());
    }

    /** The trace-collector's OTLP/gRPC endpoint ({@code http://127.0.0.1:<port>}, plaintext HTTP/2). */
    public String collectorGrpcUrl() {
        return "http://127.0.0.1:" + env.get("QUARKUS_GRPC_SERVER_PORT");
    }

    public String url(String service) {
        return services.get(service).url();
    }

    public KafkaProcess kafka() {
        return kafka;
    }

    public ServiceProcess service(String name) {
        return services.get(name);
    }

    /** The proxy between the services and PostgreSQL (shared stack only): cut it to take the database away. */
    /**
     * Starts replica {@code n} (2, 3, …) of a service beside the stack's own: the same jar and environment plus
     * {@code extraEnv}, a free port of its own, its log in {@code <name>-<n>.log}. The caller awaits it, and stops it
     * (or kills it) before the test ends.
     */
    ServiceProcess startReplica(String name, int n, Map<String, String> extraEnv) {
        ServiceProcess replica = service(name).replica(n, freePort());
        Map<String, String> env = new HashMap<>(extraEnv);
        if (name.equals(COLLECTOR)) {
            env.putIfAbsent("QUARKUS_GRPC_SERVER_PORT", Integer.toString(freePort())); // the first holds its own
        }
        replica.start(env, null);
        return replica;
    }

    public FaultProxy postgresProxy() {
        if (postgresProxy == null) {
            throw new IllegalStateException("this stack reaches PostgreSQL directly; use the shared stack");
        }
        return postgresProxy;
    }

    /** The stack's database, for checks on what a service stored (directly, not through the proxy). */
    public TestDatabase database() {
        return database;
    }

    public TestProject projectA() {
        return projectA;
    }

    public TestProject projectB() {
        return projectB;
    }

    /**
     * Waits until every service reports ready again, e.g. after a test stopped the broker: the stack is shared,
     * so a test that breaks it leaves it as it found it. Returns how long that took.
     */
    public Duration awaitAllReady() {
        long begun = System.nanoTime();
        for (ServiceProcess service : services.values()) {
            org.awaitility.Awaitility.await(service.name() + " ready again")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(service::ready);
        }
        return Duration.ofNanos(System.nanoTime() - begun);
    }

    /** A project of its own, for a test that must see only what it put in (the dashboard's charts). */
    public TestProject newProject(String name) {
        return createProject(url(AGGREGATOR), bootstrapToken, name);
    }

    /** The token that creates projects ({@code POST /v1/projects}). */
    public String bootstrapToken() {
        return bootstrapToken;
    }

    /** The configured redaction canary ({@code LOUPE_REDACTION_CANARY}), unique to this stack. */
    public String canary() {
        return env.get("LOUPE_REDACTION_CANARY");
    }

    /** Every secret the services were started with, by env name: none may ever reach a log or an answer. */
    public Map<String, String> secrets() {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("LOUPE_TENANCY_PEPPER", env.get("LOUPE_TENANCY_PEPPER"));
        secrets.put("LOUPE_TENANCY_BOOTSTRAP_TOKEN", bootstrapToken);
        secrets.put("LOUPE_IDENTIFIERS_SECRET", env.get("LOUPE_IDENTIFIERS_SECRET"));
        // the machine's database may have no password (trust authentication): nothing to look for then
        String password = env.get("QUARKUS_DATASOURCE_PASSWORD");
        if (password != null && !password.isBlank()) {
            secrets.put("QUARKUS_DATASOURCE_PASSWORD", password);
        }
        return secrets;
    }

    /** Where the services' logs are ({@code <service>.log}). */
    public java.nio.file.Path logDirectory() {
        return java.nio.file.Paths.get(System.getProperty("loupe.repo.root", ".."))
                .toAbsolutePath()
                .normalize()
                .resolve("e2e/target/e2e-stack");
    }

    @Override
    public void close() {
        services.values().forEach(ServiceProcess::stop);
        kafka.close();
        if (postgresProxy != null) {
            postgresProxy.close();
        }
        database.close();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JUnit extension that starts the stack once for the whole run and injects it into test classes. */
    public static final class Extension implements BeforeAllCallback, ParameterResolver {
        @Override
        public void beforeAll(ExtensionContext context) {
            stack(context);
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == LoupeStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return stack(context);
        }

        private static LoupeStack stack(ExtensionContext context) {
            return context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .computeIfAbsent(LoupeStack.class, k -> LoupeStack.startShared(), LoupeStack.class);
        }
    }
}
