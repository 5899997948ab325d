package dev.loupe.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

    @Test
    void partitionsPerTopicAreReadAndAMalformedEntryIsNamed() {
        assertThat(KafkaTopicCreator.partitionTable(List.of("loupe.spans.v1=18", " loupe.decisions.v1 = 12 ", "none")))
                .containsOnly(Map.entry("loupe.spans.v1", 18), Map.entry("loupe.decisions.v1", 12));
        assertThat(KafkaTopicCreator.partitionTable(List.of("none"))).isEmpty();
        for (String bad : List.of("loupe.spans.v1", "loupe.spans.v1=0", "=4", "loupe.spans.v1=many")) {
            assertThatThrownBy(() -> KafkaTopicCreator.partitionTable(List.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("loupe.kafka.topic-partitions")
                    .hasMessageContaining(bad);
        }
    }
}
