package dev.loupe.e2e.bench;

import dev.loupe.e2e.LoupeStackAccess;
import dev.loupe.simulator.Soak;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Takes a {@link SoakSample}: every service's {@code /q/metrics} (heap used, after GC and committed, non-heap
 * committed, 5xx), VmRSS and its resident memory outside the heap ({@link HeapResidency}), the broker's lag and dead letters, the app's counters. On request it asks each
 * service JVM for a full GC, after reading the lag and the app's counters and before reading memory ({@code jcmd <pid> GC.run}): with ParallelGC the old generation is only collected when
 * it fills, so between major GCs neither the heap used nor the last "after GC" figure can tell a leak from garbage
 * waiting to be collected; a few forced collections over the run can.
 */
final class SoakSampler {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final LoupeStackAccess stack;
    private final KafkaWatch kafka;
    private final Soak soak;
    private final long begun = System.nanoTime();
    private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    /** Per service, its heap's reserved range, asked for once (it does not move); empty when jcmd could not. */
    private final Map<String, Optional<HeapResidency.Range>> heapRanges = new HashMap<>();

    SoakSampler(LoupeStackAccess stack, KafkaWatch kafka, Soak soak) {
        this.stack = stack;
        this.kafka = kafka;
        this.soak = soak;
    }

    /** Whether full GCs can be asked for (a JDK, not a JRE, runs the benchmark). */
    boolean canForceGc() {
        return Files.isExecutable(jcmd);
    }

    SoakSample sample(boolean forceGc) throws Exception {
        boolean forced = forceGc && canForceGc();
        // the pipeline's figures first, then the memory ones: five jcmd JVMs and five full GCs at once stall the
        // whole machine for a moment, and lag read after them measured the sampler (issue 24, seventh pass: the
        // lag read after a forced GC averaged twice the others'). A stall that lasts shows in the next sample.
        double minute = (System.nanoTime() - begun) / 60e9;
        Soak.Progress progress = soak.progress();
        Map<String, Long> lag = kafka.lagByGroup();
        long deadLetters = kafka.deadLetters();
        if (forced) {
            List<Process> gcs = new ArrayList<>(); // at once: five jcmd JVMs one after another took seconds
            for (String service : stack.services()) {
                gcs.add(new ProcessBuilder(jcmd.toString(), Long.toString(stack.pid(service)), "GC.run")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start());
            }
            for (Process gc : gcs) {
                if (!gc.waitFor(30, TimeUnit.SECONDS)) {
                    gc.destroyForcibly();
                }
            }
            Thread.sleep(500); // the GC notification updates the live-data gauge on its own thread
        }
        Map<String, SoakSample.Service> services = new LinkedHashMap<>();
        long stored = -1;
        for (String service : stack.services()) {
            PrometheusText metrics = metrics(service);
            long pid = stack.pid(service);
            long outsideHeapKib = heapRanges
                    .computeIfAbsent(service, s -> canForceGc() ? HeapResidency.range(jcmd, pid) : Optional.empty())
                    .flatMap(range -> HeapResidency.resident(pid, range))
                    .map(HeapResidency.Resident::outsideHeapKib)
                    .orElse(-1L);
            services.put(
                    service,
                    new SoakSample.Service(
                            (long) metrics.sum("jvm_memory_used_bytes", l -> "heap".equals(l.get("area"))),
                            (long) metrics.sum("jvm_gc_live_data_size_bytes"),
                            forced,
                            (long) metrics.sum("jvm_memory_committed_bytes", l -> "heap".equals(l.get("area"))),
                            (long) metrics.sum("jvm_memory_committed_bytes", l -> "nonheap".equals(l.get("area"))),
                            stack.rssKib(service),
                            Math.max(0, (long) metrics.sum(
                                    "http_server_requests_seconds_count",
                                    l -> l.getOrDefault("status", "").startsWith("5"))),
                            outsideHeapKib));
            if (service.equals("metrics-aggregator")) {
                stored = Math.max(0, (long) metrics.sum("loupe_aggregator_spans_stored_total"));
            }
        }
        return new SoakSample(minute, progress, services, lag, deadLetters, stored);
    }

    private PrometheusText metrics(String service) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/metrics"))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new PrometheusText(response.body());
    }
}
