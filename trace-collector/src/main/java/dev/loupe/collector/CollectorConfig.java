package dev.loupe.collector;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of the trace-collector ({@code loupe.collector.*}, or {@code LOUPE_COLLECTOR_*} in the environment). */
@ConfigMapping(prefix = "loupe.collector")
public interface CollectorConfig {
    /** Most items accepted in one {@code POST /v1/spans} batch; a larger batch is refused with 413. */
    @WithDefault("1000")
    int maxBatchItems();

    /** Largest request body accepted, measured after gzip decompression (OTLP and native JSON); larger → 413. */
    @WithDefault("5242880")
    int maxBodyBytes();

    /** How long to wait for Kafka to acknowledge a batch before answering 503. */
    @WithDefault("5s")
    Duration ackTimeout();

    /** Most records waiting for Kafka's acknowledgement at once; past it, requests get 503. */
    @WithDefault("50000")
    int maxInFlight();

    /**
     * Bytes of heap the request bodies being ingested may hold at once (each counted at four times its length);
     * past it, requests get 503. 0: a quarter of the maximum heap.
     */
    @WithDefault("0")
    long memoryBudget();

    /** Requests per second allowed per API key (token bucket); 0 turns the limit off. */
    @WithDefault("0")
    double rateLimitPerSecond();

    /** Requests a key may burst above its rate. */
    @WithDefault("50")
    int rateLimitBurst();

    /**
     * A DNS name that resolves to every ready collector replica (the chart's headless Service). When set, each replica
     * allows a key the rate and burst divided by the replicas it resolves (at least 1), looked up again every
     * {@link #rateLimitPeersInterval()}, so the key's limit holds across replicas. Unset: this replica alone.
     */
    Optional<String> rateLimitPeers();

    /** How often {@link #rateLimitPeers()} is resolved again. */
    @WithDefault("15s")
    Duration rateLimitPeersInterval();

    /** Seconds a client is told to wait (Retry-After) when the collector is overloaded. */
    @WithDefault("5")
    int retryAfterSeconds();
}
