package dev.loupe.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaTopicCreatorTest {
    @Test
    void theAdminClientConnectsWithTheChannelsSecuritySettings() {
        Map<String, Object> settings = KafkaTopicCreator.adminConfig(
                "kafka:9093",
                Map.of(
                        "bootstrap.servers",
                        "ignored:1",
                        "security.protocol",
                        "SASL_SSL",
                        "sasl.mechanism",
                        "SCRAM-SHA-512",
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "ssl.truststore.location",
                        "/etc/kafka/truststore.jks",
                        "health-enabled",
                        "true"));
        assertThat(settings)
                .containsEntry("bootstrap.servers", "kafka:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsKey("sasl.jaas.config")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks")
                .doesNotContainKey("health-enabled");
    }

    @Test
    void withoutSecuritySettingsOnlyTheBrokerAndTimeoutsAreSet() {
        assertThat(KafkaTopicCreator.adminConfig("localhost:9092", Map.of()))
                .containsOnlyKeys("bootstrap.servers", "default.api.timeout.ms", "request.timeout.ms");
    }
}
