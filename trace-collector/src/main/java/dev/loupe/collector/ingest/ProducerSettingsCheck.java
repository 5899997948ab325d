package dev.loupe.collector.ingest;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;

/**
 * Refuses to start when a producer's settings would let an acknowledged record be lost or duplicated:
 * a 2xx from the collector promises acks=all and an idempotent producer, so a config that silently
 * weakens either (acks=1, enable.idempotence=false, retries=0, more than 5 in-flight requests) stops
 * the service with the offending property named.
 */
@ApplicationScoped
public class ProducerSettingsCheck {
    static final List<String> CHANNELS = List.of(SpanPublisher.CHANNEL, DecisionPublisher.CHANNEL);

    private final Config config;

    public ProducerSettingsCheck(Config config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        List<String> problems = new ArrayList<>();
        for (String channel : CHANNELS) {
            problems.addAll(problems(channel, key -> lookup(channel, key)));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("unsafe Kafka producer settings: " + String.join("; ", problems));
        }
    }

    /** The channel's value for a Kafka property: channel-specific first, then the global {@code kafka.} one. */
    private Optional<String> lookup(String channel, String key) {
        return config.getOptionalValue("mp.messaging.outgoing." + channel + "." + key, String.class)
                .or(() -> config.getOptionalValue("kafka." + key, String.class));
    }

    static List<String> problems(String channel, Function<String, Optional<String>> setting) {
        List<String> problems = new ArrayList<>();
        String acks = setting.apply("acks").orElse("all").trim().toLowerCase(Locale.ROOT);
        if (!acks.equals("all") && !acks.equals("-1")) {
            problems.add("mp.messaging.outgoing." + channel + ".acks=" + acks + " (must be all)");
        }
        if (!setting.apply("enable.idempotence").orElse("true").trim().equalsIgnoreCase("true")) {
            problems.add("mp.messaging.outgoing." + channel + ".enable.idempotence must be true");
        }
        setting.apply("retries")
                .map(String::trim)
                .filter(r -> r.equals("0"))
                .ifPresent(r ->
                        problems.add("mp.messaging.outgoing." + channel + ".retries=0 (idempotence needs retries)"));
        setting.apply("max.in.flight.requests.per.connection")
                .map(String::trim)
                .map(Integer::parseInt)
                .filter(n -> n > 5)
                .ifPresent(n -> problems.add("mp.messaging.outgoing." + channel
                        + ".max.in.flight.requests.per.connection=" + n + " (at most 5 with idempotence)"));
        return problems;
    }
}
