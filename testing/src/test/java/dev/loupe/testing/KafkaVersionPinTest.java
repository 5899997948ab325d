package dev.loupe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.server.DefaultApiVersionManager;
import org.junit.jupiter.api.Test;

/**
 * The Quarkus BOM manages kafka-clients (and kafka_2.13) but not kafka-server, which the root pom pins in
 * {@code kafka.version}. The embedded broker runs all three in one JVM, so the pin must be the BOM's Kafka exactly:
 * this fails the build when the BOM moves and the pin does not (or the other way round).
 */
class KafkaVersionPinTest {

    @Test
    void kafkaServerIsTheKafkaOfTheQuarkusBom() throws Exception {
        String clients = versionOf(AppInfoParser.class);
        assertThat(clients)
                .as("kafka-clients' own version")
                .isEqualTo(AppInfoParser.getVersion())
                .matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(versionOf(DefaultApiVersionManager.class))
                .as("kafka-server (root pom kafka.version) must equal the Quarkus BOM's kafka-clients")
                .isEqualTo(clients);
        assertThat(versionOf(KafkaConfig.class)).as("kafka_2.13 (Quarkus BOM)").isEqualTo(clients);
    }

    /** The version recorded in the jar that holds {@code type}: Kafka's kafka-version.properties, else the manifest's. */
    static String versionOf(Class<?> type) throws IOException, URISyntaxException {
        Path jarPath =
                Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            ZipEntry entry = jar.getEntry("kafka/kafka-version.properties");
            if (entry != null) {
                Properties properties = new Properties();
                try (InputStream in = jar.getInputStream(entry)) {
                    properties.load(in);
                }
                return properties.getProperty("version");
            }
            String version = jar.getManifest() == null
                    ? null
                    : jar.getManifest().getMainAttributes().getValue("Version");
            assertThat(version).as("a version recorded in %s", jarPath).isNotBlank();
            return version;
        }
    }
}
