package dev.loupe.common.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.List;

/** The topics a service creates at start-up when they are missing. */
@ConfigMapping(prefix = "loupe.kafka")
public interface KafkaTopicsConfig {
    /** Create missing topics at start-up; turn off where topics are managed elsewhere. */
    @WithName("create-topics")
    @WithDefault("true")
    boolean createTopics();

    /** Topics this service reads or writes (their {@code .dlq} topics are created alongside). */
    @WithDefault("none")
    List<String> topics();

    /** Partitions of a created topic that {@link #topicPartitions()} does not name. */
    @WithDefault("3")
    int partitions();

    /**
     * Partitions per topic, as {@code topic=count} entries ({@code loupe.spans.v1=18,loupe.decisions.v1=12}); a topic
     * not named gets {@link #partitions()}. Size a consumed topic for the most consumers its group may run: replicas
     * times each replica's consumers (docs/scaling.md, "Partitions").
     */
    @WithName("topic-partitions")
    @WithDefault("none")
    List<String> topicPartitions();

    /** Replication factor of a created topic. */
    @WithDefault("1")
    short replicationFactor();
}
