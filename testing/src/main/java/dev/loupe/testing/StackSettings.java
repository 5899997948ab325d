package dev.loupe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The local stack's one table ({@code dev/loupe/testing/local-stack.properties}): the services in start order,
 * their default ports, and the settings of the single-node KRaft broker. bin/loupe reads the same file, so the
 * stack a developer runs and the stacks the tests start cannot drift apart.
 */
public final class StackSettings {
    /** Where the table lives, on the classpath and (under testing/src/main/resources) in the repository. */
    public static final String RESOURCE = "dev/loupe/testing/local-stack.properties";

    private static final String KAFKA_PREFIX = "kafka.";
    private static final Properties TABLE = load();

    private StackSettings() {}

    /** The five services, in the order they start: the first runs the migrations the others read. */
    public static List<String> services() {
        return Arrays.stream(required("services").split(",")).map(String::trim).toList();
    }

    /** The local stack's default port of a service, or of {@code kafka} / {@code kafka-controller}. */
    public static int defaultPort(String component) {
        return Integer.parseInt(required("port." + component));
    }

    /** The combined broker + controller's server properties, with its ports and log directory filled in. */
    public static Properties kafkaServerProperties(Path logDir, int brokerPort, int controllerPort) {
        Map<String, String> values = Map.of(
                "${broker.port}",
                Integer.toString(brokerPort),
                "${controller.port}",
                Integer.toString(controllerPort),
                "${log.dir}",
                logDir.toString());
        Properties server = new Properties();
        for (String key : TABLE.stringPropertyNames()) {
            if (key.startsWith(KAFKA_PREFIX)) {
                String value = TABLE.getProperty(key);
                for (Map.Entry<String, String> v : values.entrySet()) {
                    value = value.replace(v.getKey(), v.getValue());
                }
                server.setProperty(key.substring(KAFKA_PREFIX.length()), value);
            }
        }
        return server;
    }

    private static String required(String key) {
        String value = TABLE.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(RESOURCE + " has no " + key);
        }
        return value.trim();
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = StackSettings.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
