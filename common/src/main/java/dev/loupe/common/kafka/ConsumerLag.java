package dev.loupe.common.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Each consumer group's lag, as the broker sees it: per (group, topic) the sum over the topic's partitions of the
 * log-end offset minus the group's committed offset (the log-start offset where the group has committed nothing,
 * as {@code auto.offset.reset=earliest} starts there). Published as the gauge {@code loupe_consumer_lag_records
 * {group,topic}} and refreshed every {@code loupe.consumers.lag-interval} (default 15 s, {@code 0} turns it off)
 * by one admin client.
 *
 * <p>Why not the Kafka client's own {@code kafka_consumer_fetch_manager_records_lag_max} (which also reaches
 * {@code /q/metrics}): the client computes it on fetch, per client id, so a consumer that is stuck, paused or gone
 * stops updating it (or drops it) exactly when the lag matters, and it carries no group label. Committed offsets
 * are what a restart would resume from: the records this group still owes.
 *
 * <p>The groups and topics are this service's own Kafka channels ({@code mp.messaging.incoming.<channel>.topic}
 * and {@code .group.id}); a service without any publishes nothing and opens no connection.
 */
@ApplicationScoped
public class ConsumerLag {
    private static final Logger LOG = Logger.getLogger(ConsumerLag.class);
    private static final String PREFIX = "mp.messaging.incoming.";

    /** A consumer group and one topic it reads. */
    public record GroupTopic(String group, String topic) {}

    private final Config config;
    private final MeterRegistry registry;
    private final Duration interval;
    private final String bootstrapServers;
    private final Map<String, Object> kafkaDefaults;
    private final Map<GroupTopic, Double> lag = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;
    private Admin admin;
    private boolean failing;

    public ConsumerLag(
            Config config,
            MeterRegistry registry,
            ConsumerFaultsConfig consumers,
            @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "127.0.0.1:9092") String bootstrapServers,
            @Identifier("default-kafka-broker") Instance<Map<String, Object>> kafkaDefaults) {
        this.config = config;
        this.registry = registry;
        this.interval = consumers.lagInterval();
        this.bootstrapServers = bootstrapServers;
        this.kafkaDefaults = kafkaDefaults.isResolvable() ? kafkaDefaults.get() : Map.of();
    }

    /** The (group, topic) pairs of this service's incoming Kafka channels, in configuration order. */
    public static List<GroupTopic> consumed(Config config) {
        Set<GroupTopic> found = new LinkedHashSet<>();
        for (String name : config.getPropertyNames()) {
            if (!name.startsWith(PREFIX) || !name.endsWith(".connector")) {
                continue;
            }
            String channel = name.substring(PREFIX.length(), name.length() - ".connector".length());
            String base = PREFIX + channel + ".";
            if (channel.contains(".")
                    || !"smallrye-kafka"
                            .equals(config.getOptionalValue(name, String.class).orElse(""))
                    || !config.getOptionalValue(base + "enabled", Boolean.class).orElse(true)
                    || config.getOptionalValue(base + "pattern", Boolean.class).orElse(false)) {
                continue;
            }
            String topic = config.getOptionalValue(base + "topic", String.class).orElse(channel);
            config.getOptionalValue(base + "group.id", String.class)
                    .or(() -> config.getOptionalValue("kafka.group.id", String.class))
                    .ifPresent(group -> found.add(new GroupTopic(group, topic)));
        }
        return new ArrayList<>(found);
    }

    void onStart(@Observes StartupEvent event) {
        List<GroupTopic> pairs = consumed(config);
        if (pairs.isEmpty() || interval.isZero() || interval.isNegative()) {
            return;
        }
        for (GroupTopic pair : pairs) {
            lag.put(pair, Double.NaN);
            Gauge.builder("loupe.consumer.lag", lag, l -> l.getOrDefault(pair, Double.NaN))
                    .description("records of the topic the consumer group has not committed yet")
                    .baseUnit("records")
                    .tag("group", pair.group())
                    .tag("topic", pair.topic())
                    .register(registry);
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loupe-consumer-lag");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> refresh(pairs), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /** The last lag measured for {@code group} on {@code topic}; empty until measured or when it failed. */
    public OptionalLong lag(String group, String topic) {
        Double value = lag.get(new GroupTopic(group, topic));
        return value == null || value.isNaN() ? OptionalLong.empty() : OptionalLong.of(value.longValue());
    }

    private void refresh(List<GroupTopic> pairs) {
        try {
            if (admin == null) {
                admin = Admin.create(KafkaTopicCreator.adminConfig(bootstrapServers, kafkaDefaults));
            }
            Map<GroupTopic, Long> measured = measure(admin, pairs);
            pairs.forEach(p -> lag.put(p, measured.containsKey(p) ? measured.get(p) : Double.NaN));
            if (failing) {
                LOG.info("consumer lag is measured again");
                failing = false;
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            pairs.forEach(p -> lag.put(p, Double.NaN));
            if (!failing) {
                LOG.warnf("could not measure consumer lag (reported as NaN until it can): %s", e.toString());
                failing = true;
            }
        }
    }

    /**
     * Measures each pair with {@code admin}: Σ over the topic's partitions of (log-end offset − committed offset,
     * or the log-start offset where nothing is committed). A topic that does not exist is left out.
     */
    public static Map<GroupTopic, Long> measure(Admin admin, List<GroupTopic> pairs) throws Exception {
        Set<String> topics = new LinkedHashSet<>();
        pairs.forEach(p -> topics.add(p.topic()));
        Map<String, TopicDescription> described = new HashMap<>();
        for (String topic : topics) {
            try {
                described.putAll(
                        admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        }
        List<TopicPartition> partitions = new ArrayList<>();
        described
                .values()
                .forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.forEach(tp -> {
            latest.put(tp, OffsetSpec.latest());
            earliest.put(tp, OffsetSpec.earliest());
        });
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                admin.listOffsets(earliest).all().get(10, TimeUnit.SECONDS);

        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        Map<GroupTopic, Long> result = new HashMap<>();
        for (GroupTopic pair : pairs) {
            if (!described.containsKey(pair.topic())) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = committed.get(pair.group());
            if (offsets == null) {
                offsets = admin.listConsumerGroupOffsets(pair.group())
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                committed.put(pair.group(), offsets);
            }
            long sum = 0;
            for (TopicPartition tp : partitions) {
                if (!tp.topic().equals(pair.topic())) {
                    continue;
                }
                OffsetAndMetadata at = offsets.get(tp);
                long from = at != null ? at.offset() : starts.get(tp).offset();
                sum += Math.max(0, ends.get(tp).offset() - from);
            }
            result.put(pair, sum);
        }
        return result;
    }
}
