package dev.loupe.e2e.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** The broker as the soak sees it: consumer lag per group, and what the dead-letter topics hold. */
final class KafkaWatch implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 20;
    private final Admin admin;

    KafkaWatch(String bootstrap) {
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000));
    }

    /** Per consumer group, the log-end offsets of its partitions minus its committed offsets, summed. */
    Map<String, Long> lagByGroup() throws Exception {
        Map<String, Long> lag = new TreeMap<>();
        for (GroupListing group :
                admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                    .partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            committed.values().removeIf(o -> o == null);
            Map<TopicPartition, Long> ends =
                    endOffsets(committed.keySet().stream().toList());
            long total = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                total += Math.max(
                        0, ends.getOrDefault(e.getKey(), 0L) - e.getValue().offset());
            }
            lag.put(group.groupId(), total);
        }
        return lag;
    }

    /** Records on every {@code *.dlq} topic (log-end minus log-start offsets, summed). */
    long deadLetters() throws Exception {
        List<String> dlqs = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).stream()
                .filter(t -> t.endsWith(".dlq"))
                .toList();
        if (dlqs.isEmpty()) {
            return 0;
        }
        List<TopicPartition> partitions =
                admin.describeTopics(dlqs).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values().stream()
                        .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                        .toList();
        Map<TopicPartition, Long> ends = endOffsets(partitions);
        Map<TopicPartition, Long> starts = offsets(partitions, OffsetSpec.earliest());
        return partitions.stream()
                .mapToLong(p -> ends.getOrDefault(p, 0L) - starts.getOrDefault(p, 0L))
                .sum();
    }

    private Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) throws Exception {
        return offsets(partitions, OffsetSpec.latest());
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        if (partitions.isEmpty()) {
            return new HashMap<>();
        }
        return admin
                .listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> spec)))
                .all()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .entrySet()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    @Override
    public void close() {
        admin.close();
    }
}
