package dev.loupe.e2e;

import java.util.List;

/** A stack for tools outside this package (benchmarks): the broker and the collector, the aggregator stopped. */
public final class LoupeStackAccess implements AutoCloseable {
    private final LoupeStack stack;

    private LoupeStackAccess(LoupeStack stack) {
        this.stack = stack;
    }

    /** Kafka and the collector; the aggregator runs only long enough to migrate and create the projects. */
    public static LoupeStackAccess collectorOnly() {
        LoupeStack stack = LoupeStack.start(List.of(LoupeStack.COLLECTOR));
        stack.service(LoupeStack.AGGREGATOR).stop();
        return new LoupeStackAccess(stack);
    }

    /** Kafka and all five services. */
    public static LoupeStackAccess full() {
        return new LoupeStackAccess(LoupeStack.start());
    }

    public List<String> services() {
        return List.of(
                LoupeStack.AGGREGATOR, LoupeStack.COLLECTOR, LoupeStack.EVALS, LoupeStack.FEEDBACK, LoupeStack.ALERTS);
    }

    /** The collector's OTLP/gRPC endpoint, {@code http://127.0.0.1:<port>}. */
    public String collectorGrpcUrl() {
        return stack.collectorGrpcUrl();
    }

    public String url(String service) {
        return stack.url(service);
    }

    /** Resident set size of a service's JVM, KiB. */
    public long rssKib(String service) {
        return stack.service(service).rssKib();
    }

    /** A service JVM's process id. */
    public long pid(String service) {
        return stack.service(service).pid();
    }

    /** The token that creates projects (the simulator creates its own). */
    public String bootstrapToken() {
        return stack.bootstrapToken();
    }

    public dev.loupe.testing.TestDatabase database() {
        return stack.database();
    }

    public String collectorUrl() {
        return stack.url(LoupeStack.COLLECTOR);
    }

    public String projectId() {
        return stack.projectA().id();
    }

    public String secretKey() {
        return stack.projectA().secretKey();
    }

    public String kafkaBootstrap() {
        return stack.kafka().bootstrapServers();
    }

    @Override
    public void close() {
        stack.close();
    }
}
