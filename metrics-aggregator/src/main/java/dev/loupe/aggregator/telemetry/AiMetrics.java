package dev.loupe.aggregator.telemetry;

import dev.loupe.aggregator.rollup.SpanFacts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The AI metrics on {@code /q/metrics}, counted from newly stored spans only (a redelivered span adds
 * nothing): cost and tokens per model and feature, and GenAI-style histograms per model with the bucket
 * boundaries of the OTel GenAI semantic conventions. Labels are bounded (model, feature, kind, status):
 * no trace, session, user or prompt labels.
 */
@ApplicationScoped
public class AiMetrics {
    /** {@code gen_ai.client.operation.duration} boundaries, seconds. */
    static final double[] DURATION_BUCKETS = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
    };
    /** {@code gen_ai.client.token.usage} boundaries, tokens. */
    static final double[] TOKEN_BUCKETS = {
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
    };

    private final MeterRegistry registry;
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> tokenUsage = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public AiMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(List<SpanFacts> stored) {
        for (SpanFacts s : stored) {
            String model = s.model().isEmpty() ? "none" : s.model();
            String feature = s.feature().isEmpty() ? "none" : s.feature();
            counter("loupe.ai.spans", "kind", s.kind(), "status", s.status()).increment();
            if (s.costUsd().signum() != 0) {
                counter("loupe.ai.cost.usd", "model", model, "feature", feature)
                        .increment(s.costUsd().doubleValue());
            }
            if (!"LLM".equals(s.kind())) {
                continue;
            }
            if (s.latencyMs() != null) {
                durations
                        .computeIfAbsent(
                                model,
                                m -> Timer.builder("loupe.ai.operation.duration")
                                        .description("Duration of model calls, GenAI bucket boundaries")
                                        .tag("model", m)
                                        .serviceLevelObjectives(durationBuckets())
                                        .register(registry))
                        .record(Duration.ofMillis(s.latencyMs()));
            }
            tokens(model, "input").record(s.inputTokens());
            tokens(model, "output").record(s.outputTokens());
            counter("loupe.ai.tokens", "model", model, "type", "input").increment(s.inputTokens());
            counter("loupe.ai.tokens", "model", model, "type", "output").increment(s.outputTokens());
        }
    }

    private DistributionSummary tokens(String model, String type) {
        return tokenUsage.computeIfAbsent(
                model + '\u0000' + type,
                k -> DistributionSummary.builder("loupe.ai.token.usage")
                        .description("Tokens per model call, GenAI bucket boundaries")
                        .baseUnit("tokens")
                        .tags("model", model, "type", type)
                        .serviceLevelObjectives(TOKEN_BUCKETS)
                        .register(registry));
    }

    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(name + String.join("\u0000", tags), k -> registry.counter(name, tags));
    }

    private static Duration[] durationBuckets() {
        Duration[] buckets = new Duration[DURATION_BUCKETS.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofNanos(Math.round(DURATION_BUCKETS[i] * 1e9));
        }
        return buckets;
    }
}
