package dev.loupe.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A stack for tools outside this package (benchmarks): the broker and the collector, the aggregator stopped. */
public final class LoupeStackAccess implements AutoCloseable {
    private final LoupeStack stack;
    private final Map<String, ServiceProcess> replicas = new LinkedHashMap<>();

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
        List<String> all = new ArrayList<>(List.of(
                LoupeStack.AGGREGATOR, LoupeStack.COLLECTOR, LoupeStack.EVALS, LoupeStack.FEEDBACK, LoupeStack.ALERTS));
        all.addAll(replicas.keySet());
        return all;
    }

    /**
     * Starts replicas 2..{@code n} of the collector, the aggregator, eval-runner and alert-manager beside the first
     * ones (feedback-service stays one), and waits until they are ready; they are named {@code <service>-<i>}.
     */
    public void startReplicas(int n) {
        for (int i = 2; i <= n; i++) {
            for (String service :
                    List.of(LoupeStack.COLLECTOR, LoupeStack.AGGREGATOR, LoupeStack.EVALS, LoupeStack.ALERTS)) {
                replicas.put(service + "-" + i, stack.startReplica(service, i, Map.of()));
            }
        }
        replicas.values().forEach(ServiceProcess::awaitReady);
    }

    /** The base URL of every running replica of {@code service}, the first one first. */
    public List<String> urls(String service) {
        List<String> urls = new ArrayList<>(List.of(stack.url(service)));
        replicas.forEach((name, process) -> {
            if (name.startsWith(service + "-")) {
                urls.add(process.url());
            }
        });
        return urls;
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
        return replicas.containsKey(service)
                ? replicas.get(service).rssKib()
                : stack.service(service).rssKib();
    }

    /** A service JVM's process id. */
    public long pid(String service) {
        return replicas.containsKey(service)
                ? replicas.get(service).pid()
                : stack.service(service).pid();
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
        replicas.values().forEach(ServiceProcess::stop);
        stack.close();
    }
}
