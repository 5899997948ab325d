package dev.loupe.common.kafka;

import dev.loupe.contracts.events.Topics;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates this service's topics (and their dead-letter topics) at start-up when they are missing, connecting
 * with the same security settings as the service's channels ({@code kafka.security.protocol},
 * {@code kafka.sasl.*}, {@code kafka.ssl.*}, or their {@code KAFKA_*} environment variables).
 */
@ApplicationScoped
public class KafkaTopicCreator {
    private static final Logger LOG = Logger.getLogger(KafkaTopicCreator.class);

    private final KafkaTopicsConfig config;
    private final String bootstrapServers;
    private final Map<String, Object> kafkaDefaults;

    public KafkaTopicCreator(
            KafkaTopicsConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @Identifier("default-kafka-broker") Instance<Map<String, Object>> kafkaDefaults) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.kafkaDefaults = kafkaDefaults.isResolvable() ? kafkaDefaults.get() : Map.of();
    }

    /** The admin client's settings: the broker, short timeouts, and the channels' security settings. */
    static Map<String, Object> adminConfig(String bootstrapServers, Map<String, Object> kafkaDefaults) {
        Map<String, Object> settings = new HashMap<>();
        kafkaDefaults.forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                settings.put(key, value);
            }
        });
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return settings;
    }

    void onStart(@Observes @Priority(1) StartupEvent event) {
        List<String> wanted = wantedTopics();
        if (!config.createTopics() || wanted.isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(adminConfig(bootstrapServers, kafkaDefaults))) {
            ensure(admin, config, wanted);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                LOG.warnf(
                        "could not create Kafka topics %s: %s",
                        wanted, e.getCause().toString());
            }
        } catch (TimeoutException e) {
            LOG.warnf("Kafka at %s did not answer within 20 s; topics %s not checked", bootstrapServers, wanted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Creates the missing topics of {@code wanted}, each with its configured partitions, and answers the existing
     * ones that have fewer partitions than configured (each logged at WARN). Partitions are never added here: keys
     * would move to other partitions while records of theirs still wait in the old ones (docs/scaling.md).
     */
    public static List<String> ensure(Admin admin, KafkaTopicsConfig config, List<String> wanted)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, Integer> table = partitionTable(config.topicPartitions());
        Set<String> existing = admin.listTopics().names().get(20, TimeUnit.SECONDS);
        List<NewTopic> missing = wanted.stream()
                .filter(t -> !existing.contains(t))
                .map(t -> new NewTopic(t, table.getOrDefault(t, config.partitions()), config.replicationFactor()))
                .toList();
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get(20, TimeUnit.SECONDS);
            LOG.infof(
                    "created Kafka topics %s",
                    missing.stream()
                            .map(t -> t.name() + " (" + t.numPartitions() + " partitions)")
                            .toList());
        }
        List<String> present = wanted.stream().filter(existing::contains).toList();
        List<String> fewer = new ArrayList<>();
        if (!present.isEmpty()) {
            admin.describeTopics(present)
                    .allTopicNames()
                    .get(20, TimeUnit.SECONDS)
                    .forEach((name, description) -> {
                        int want = table.getOrDefault(name, config.partitions());
                        int has = description.partitions().size();
                        if (has < want) {
                            fewer.add(name);
                            LOG.warnf(
                                    "Kafka topic %s has %d partitions, %d configured: consumers beyond %d in its groups"
                                            + " stay idle; Loupe does not add partitions itself (docs/scaling.md,"
                                            + " \"Partitions\")",
                                    name, has, want, has);
                        }
                    });
        }
        return fewer;
    }

    /** {@code topic=count} entries as a map; a malformed entry stops the start with a message naming it. */
    static Map<String, Integer> partitionTable(List<String> entries) {
        Map<String, Integer> table = new HashMap<>();
        for (String entry : entries) {
            String e = entry.trim();
            if (e.isEmpty() || e.equalsIgnoreCase("none")) {
                continue;
            }
            int eq = e.indexOf('=');
            String topic = eq < 0 ? "" : e.substring(0, eq).trim();
            int count;
            try {
                count = eq < 0 ? 0 : Integer.parseInt(e.substring(eq + 1).trim());
            } catch (NumberFormatException notANumber) {
                count = 0;
            }
            if (topic.isEmpty() || count < 1) {
                throw new IllegalArgumentException("loupe.kafka.topic-partitions: '" + e
                        + "' is not topic=count with a count of at least 1 (e.g. loupe.spans.v1=18)");
            }
            table.put(topic, count);
        }
        return table;
    }

    List<String> wantedTopics() {
        List<String> topics = new ArrayList<>();
        for (String topic : config.topics()) {
            if (!topic.isBlank() && !topic.equalsIgnoreCase("none")) {
                topics.add(topic.trim());
                topics.add(Topics.deadLetter(topic.trim()));
            }
        }
        return topics;
    }
}
