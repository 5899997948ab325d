package dev.loupe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.common.kafka.ConsumerFaultsConfig;
import io.quarkus.arc.Arc;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import java.util.List;

/**
 * The lag a service reports is committed offsets, and SmallRye's throttled strategy commits processed ones every
 * {@code auto.commit.interval.ms}, 5 s unless set. Each consuming service sets it connector-wide from
 * {@code loupe.consumers.commit-interval-ms}; this checks, in a running service, that every consumer of every
 * incoming channel (concurrent copies included) got it.
 */
public final class CommitIntervals {
    private CommitIntervals() {}

    /**
     * From a {@code @QuarkusTest}: asserts that the running service's {@code loupe.consumers.commit-interval-ms} is
     * shorter than the connector's 5 s, that it consumes at least {@code channels}, and that every consumer it runs
     * commits at that interval.
     */
    public static void assertEveryConsumerCommitsAtLoupesInterval(String... channels) {
        KafkaClientService clients =
                Arc.container().instance(KafkaClientService.class).get();
        int expected =
                Arc.container().instance(ConsumerFaultsConfig.class).get().commitIntervalMs();
        assertThat(expected).isPositive().isLessThan(5000);
        assertThat(clients.getConsumerChannels()).contains(channels);
        for (String channel : clients.getConsumerChannels()) {
            List<KafkaConsumer<Object, Object>> copies = clients.getConsumers(channel);
            assertThat(copies).as(channel).isNotEmpty();
            for (KafkaConsumer<Object, Object> consumer : copies) {
                assertThat(consumer.configuration().get("auto.commit.interval.ms"))
                        .as(channel)
                        .hasToString(String.valueOf(expected));
            }
        }
    }
}
