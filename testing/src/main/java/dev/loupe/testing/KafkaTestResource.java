package dev.loupe.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} a real Kafka broker: the one named by {@code KAFKA_BOOTSTRAP_SERVERS}
 * when set, otherwise an {@link EmbeddedKafkaBroker} shared by every test of this JVM.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedKafka.bootstrapServers());
    }

    @Override
    public void stop() {
        // the broker is shared by every test class of this JVM and stops with it
    }
}
