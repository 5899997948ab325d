package dev.loupe.aggregator.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.common.kafka.KafkaTopicCreator;
import dev.loupe.common.kafka.KafkaTopicsConfig;
import dev.loupe.testing.SharedKafka;
import dev.loupe.testing.TestSpans;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

/**
 * Topic creation against a real broker: each topic gets the partitions configured for it (others the default), and a
 * topic that already exists with fewer partitions than configured is reported, not grown.
 */
class TopicPartitionsTest {
    @Test
    void eachTopicGetsItsPartitionsAndAShortExistingTopicIsReportedNotGrown() throws Exception {
        String prefix = "partitions-" + TestSpans.randomHex(8) + ".";
        String spans = prefix + "spans";
        String windows = prefix + "windows";
        String existing = prefix + "existing";
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(existing, 2, (short) 1)))
                    .all()
                    .get(20, TimeUnit.SECONDS);
            KafkaTopicsConfig config = config(List.of(spans + "=7", existing + "=5"));

            List<String> fewer = KafkaTopicCreator.ensure(admin, config, List.of(spans, windows, existing));

            assertThat(fewer).containsExactly(existing);
            Map<String, TopicDescription> described = admin.describeTopics(List.of(spans, windows, existing))
                    .allTopicNames()
                    .get(20, TimeUnit.SECONDS);
            assertThat(described.get(spans).partitions()).hasSize(7);
            assertThat(described.get(windows).partitions())
                    .as("not named: the default")
                    .hasSize(3);
            assertThat(described.get(existing).partitions()).as("never grown").hasSize(2);
            assertThat(KafkaTopicCreator.ensure(admin, config, List.of(spans, windows)))
                    .as("a second start finds them as configured")
                    .isEmpty();
        }
    }

    private static KafkaTopicsConfig config(List<String> table) {
        return new KafkaTopicsConfig() {
            @Override
            public boolean createTopics() {
                return true;
            }

            @Override
            public List<String> topics() {
                return List.of();
            }

            @Override
            public int partitions() {
                return 3;
            }

            @Override
            public List<String> topicPartitions() {
                return table;
            }

            @Override
            public short replicationFactor() {
                return 1;
            }
        };
    }
}
