package dev.loupe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's table lives once (local-stack.properties): bin/loupe and the Java side read it, and neither
 * keeps a copy of its own. What bin/loupe makes of the Kafka settings is checked on a running stack by e2e's
 * BinLoupeIT (the broker's server.properties against {@link StackSettings#kafkaServerProperties}).
 */
class StackSettingsTest {
    private static final Path REPO = repoRoot();
    private static final Path SCRIPT = REPO.resolve("bin/loupe");
    private static final Path TABLE = REPO.resolve("testing/src/main/resources").resolve(StackSettings.RESOURCE);

    @Test
    void theTableIsPlainKeyValueLinesSoBashReadsWhatJavaReads() throws IOException {
        Pattern plain = Pattern.compile("[a-z][a-z.-]*=[^\\\\]*");
        for (String line : Files.readAllLines(TABLE, StandardCharsets.UTF_8)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                assertThat(line)
                        .as("a plain key=value line, no escapes or continuations")
                        .matches(plain);
            }
        }
    }

    @Test
    void fiveServicesAggregatorFirstEachWithItsOwnPort() {
        List<String> services = StackSettings.services();
        assertThat(services).hasSize(5).doesNotHaveDuplicates().first().isEqualTo("metrics-aggregator");
        List<Integer> ports = new ArrayList<>(
                services.stream().map(StackSettings::defaultPort).toList());
        ports.add(StackSettings.defaultPort("kafka"));
        ports.add(StackSettings.defaultPort("kafka-controller"));
        assertThat(ports).doesNotHaveDuplicates().allMatch(p -> p > 1024 && p < 65536);
    }

    @Test
    void kafkaPropertiesGetThePortsAndDirectoryFilledIn(@TempDir Path dir) {
        Properties p = StackSettings.kafkaServerProperties(dir.resolve("data"), 41001, 41002);
        assertThat(p.getProperty("process.roles")).isEqualTo("broker,controller");
        assertThat(p.getProperty("listeners")).isEqualTo("PLAINTEXT://127.0.0.1:41001,CONTROLLER://127.0.0.1:41002");
        assertThat(p.getProperty("controller.quorum.voters")).isEqualTo("1@127.0.0.1:41002");
        assertThat(p.getProperty("log.dirs")).isEqualTo(dir.resolve("data").toString());
        assertThat(p.stringPropertyNames()).noneMatch(k -> k.startsWith("kafka."));
        assertThat(p.values()).noneMatch(v -> v.toString().contains("${"));
        assertThat(EmbeddedKafkaBroker.serverProperties(dir.resolve("data"), 41001, 41002))
                .isEqualTo(p);
    }

    /** Each service's own default port (quarkus.http.port) is the table's, so a bare java -jar lands where expected. */
    @Test
    void theServicesOwnDefaultPortsAreTheTables() throws IOException {
        for (String service : StackSettings.services()) {
            Properties app = new Properties();
            try (InputStream in =
                    Files.newInputStream(REPO.resolve(service).resolve("src/main/resources/application.properties"))) {
                app.load(in);
            }
            assertThat(app.getProperty("quarkus.http.port"))
                    .as(service)
                    .isEqualTo(Integer.toString(StackSettings.defaultPort(service)));
        }
    }

    /** bin/loupe carries neither the broker's settings nor a port of the table: it reads them from the file. */
    @Test
    void binLoupeKeepsNoCopyOfTheTable() throws IOException {
        String script = Files.readString(SCRIPT, StandardCharsets.UTF_8);
        Properties kafka = StackSettings.kafkaServerProperties(Paths.get("/x"), 1, 2);
        for (String key : kafka.stringPropertyNames()) {
            assertThat(script)
                    .as("bin/loupe writing Kafka's " + key + " itself")
                    .doesNotContain(key + "=");
        }
        for (String component : allComponents()) {
            String port = Integer.toString(StackSettings.defaultPort(component));
            assertThat(script)
                    .as("bin/loupe naming " + component + "'s port " + port)
                    .doesNotContain(port);
        }
        List<String> services = StackSettings.services();
        assertThat(script)
                .as("bin/loupe listing the services itself")
                .doesNotContain(services.get(0) + " " + services.get(1))
                .doesNotContain(services.get(0) + "," + services.get(1));
    }

    /** Nor do the tests' Java sources (testing, e2e): the broker's settings and the ports come from StackSettings. */
    @Test
    void theJavaSideKeepsNoCopyOfTheTable() throws IOException {
        List<Path> sources;
        try (Stream<Path> testing = Files.walk(REPO.resolve("testing/src"));
                Stream<Path> e2e = Files.walk(REPO.resolve("e2e/src"))) {
            sources = Stream.concat(testing, e2e)
                    .filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.getFileName().toString().equals("StackSettingsTest.java"))
                    .toList();
        }
        assertThat(sources).isNotEmpty();
        Properties kafka = StackSettings.kafkaServerProperties(Paths.get("/x"), 1, 2);
        for (Path source : sources) {
            String text = Files.readString(source, StandardCharsets.UTF_8);
            for (String key : kafka.stringPropertyNames()) {
                assertThat(text)
                        .as(source + " setting Kafka's " + key + " itself")
                        .doesNotContain("\"" + key + "\"");
            }
            for (String component : allComponents()) {
                String port = Integer.toString(StackSettings.defaultPort(component));
                assertThat(text)
                        .as(source + " naming " + component + "'s port")
                        .doesNotContainPattern("\\b" + port + "\\b");
            }
        }
    }

    /** What bin/loupe actually uses: its status lists the services in the table's order, on the table's ports. */
    @Test
    void binLoupeUsesTheTablesOrderAndPorts(@TempDir Path state) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), "status").redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("LOUPE_"));
        env.put("LOUPE_STATE_DIR", state.toString());
        env.put("LOUPE_PG_PORT", "1"); // status only reports PostgreSQL; nothing answers on port 1
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        Map<String, Integer> listed = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^(\\S+)\\s+.*\\(http://127\\.0\\.0\\.1:(\\d+)\\)$")
                .matcher(out);
        while (m.find()) {
            listed.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        StackSettings.services().forEach(s -> expected.put(s, StackSettings.defaultPort(s)));
        assertThat(listed).as(out).containsExactlyEntriesOf(expected);
        assertThat(out).contains("(port " + StackSettings.defaultPort("kafka") + " ");
    }

    private static List<String> allComponents() {
        List<String> all = new ArrayList<>(StackSettings.services());
        all.add("kafka");
        all.add("kafka-controller");
        return all;
    }

    private static Path repoRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/loupe"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no bin/loupe above " + Paths.get("").toAbsolutePath());
        }
        return dir;
    }
}
