package dev.loupe.e2e.bench;

import dev.loupe.simulator.Soak;
import java.util.Map;

/**
 * One look at the whole stack during the soak, {@code minutes} after the traffic began.
 *
 * @param app         what the simulated app sent and its client reported
 * @param services    per service: memory and 5xx answers
 * @param lag         per consumer group: records not yet committed
 * @param deadLetters records on the {@code *.dlq} topics
 * @param spansStored the aggregator's stored-span counter
 */
record SoakSample(
        double minutes,
        Soak.Progress app,
        Map<String, Service> services,
        Map<String, Long> lag,
        long deadLetters,
        long spansStored) {

    /**
     * One service JVM.
     *
     * @param heapUsed    {@code jvm_memory_used_bytes{area="heap"}}, summed over the pools
     * @param heapAfterGc {@code jvm_gc_live_data_size_bytes}: the old generation after the last major GC
     * @param forcedGc    whether this sample asked for a full GC first (jcmd GC.run), so heapAfterGc is now
     * @param heapCommitted    {@code jvm_memory_committed_bytes{area="heap"}}, summed over the pools: what the JVM
     *                         has reserved for its heap (up to -Xmx); -1 when the page lacks it
     * @param nonHeapCommitted {@code jvm_memory_committed_bytes{area="nonheap"}}: metaspace, code cache and
     *                         compressed class space; -1 when the page lacks it
     * @param rssKib      VmRSS of the process
     * @param serverErrors 5xx answers since the service started
     * @param outsideHeapKib resident memory outside the heap's address range ({@link HeapResidency}: smaps' Rss
     *                       of every mapping minus that of the heap's); -1 when smaps or the heap's range could
     *                       not be read
     */
    record Service(
            long heapUsed,
            long heapAfterGc,
            boolean forcedGc,
            long heapCommitted,
            long nonHeapCommitted,
            long rssKib,
            long serverErrors,
            long outsideHeapKib) {

        /**
         * RSS outside the heap, in bytes: what the process holds besides the heap (metaspace, code, thread stacks,
         * direct buffers, native allocations); this growing is a leak outside the heap, while a heap the JVM grows
         * toward -Xmx under load is sizing. Measured as RSS minus the heap's resident pages where smaps was read;
         * otherwise RSS minus committed heap, which a heap resize moves by tens of MiB (pages committed but not yet
         * touched, or given back and not yet released); with neither, all of RSS, the stricter reading.
         */
        long rssBeyondHeap() {
            return outsideHeapKib >= 0 ? outsideHeapKib * 1024 : rssKib * 1024 - Math.max(0, heapCommitted);
        }
    }

    long lagTotal() {
        return lag.values().stream().mapToLong(Long::longValue).sum();
    }

    long serverErrors() {
        return services.values().stream().mapToLong(Service::serverErrors).sum();
    }

    /** The group furthest behind, with its lag, or "-". */
    String worstGroup() {
        return lag.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(e -> String.format("%s %,d", e.getKey(), e.getValue()))
                .orElse("-");
    }
}
