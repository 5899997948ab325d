package dev.loupe.e2e.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much of a JVM's RSS is its Java heap: the resident pages ({@code Rss} in {@code /proc/<pid>/smaps}) of the
 * mappings inside the heap's reserved address range, which {@code jcmd <pid> GC.heap_info} prints and which does not
 * change while the JVM runs. RSS minus that is what the process holds outside the heap, the figure a leak outside the
 * heap grows. Committed heap is no stand-in: RSS counts only heap pages that were touched, so a heap the collector has
 * just grown (committed, not yet touched) or just shrunk (given back, pages still being released) moves "RSS minus
 * committed heap" by tens of MiB with no leak (issue 24's sixth pass).
 */
final class HeapResidency {
    private static final Pattern ADDRESS = Pattern.compile("0x([0-9a-fA-F]+)");
    private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) ");

    /** The heap's reserved address range, {@code [start, end)}. */
    record Range(long start, long end) {}

    /** The process's resident memory from one read of smaps, in KiB: all of it, and the part inside the heap. */
    record Resident(long totalKib, long heapKib) {
        long outsideHeapKib() {
            return totalKib - heapKib;
        }
    }

    private HeapResidency() {}

    /**
     * The heap's range from {@code GC.heap_info}: from the lowest to the highest address of the heap's lines (every
     * line but metaspace's and class space's). Empty when the text has no heap address.
     */
    static Optional<Range> parse(String heapInfo) {
        long low = Long.MAX_VALUE;
        long high = Long.MIN_VALUE;
        for (String line : heapInfo.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("Metaspace") || trimmed.startsWith("class space")) {
                continue;
            }
            Matcher m = ADDRESS.matcher(line);
            while (m.find()) {
                long address = Long.parseUnsignedLong(m.group(1), 16);
                low = Math.min(low, address);
                high = Math.max(high, address);
            }
        }
        return low < high ? Optional.of(new Range(low, high)) : Optional.empty();
    }

    /**
     * Sums {@code Rss} over every mapping of an smaps text, and over the part of each mapping inside {@code heap}
     * (a mapping straddling the range's edge counts pro rata; the heap's mappings lie inside it).
     */
    static Resident resident(String smaps, Range heap) {
        long total = 0;
        double inHeap = 0;
        long start = 0;
        long end = 0;
        for (String line : smaps.split("\n")) {
            Matcher m = MAPPING.matcher(line);
            if (m.find()) {
                start = Long.parseUnsignedLong(m.group(1), 16);
                end = Long.parseUnsignedLong(m.group(2), 16);
            } else if (line.startsWith("Rss:")) {
                long kib = Long.parseLong(line.substring(4).replace("kB", "").trim());
                total += kib;
                long overlap = Math.min(end, heap.end()) - Math.max(start, heap.start());
                if (overlap > 0 && end > start) {
                    inHeap += kib * (double) overlap / (end - start);
                }
            }
        }
        return new Resident(total, Math.round(inHeap));
    }

    /** Asks the JVM {@code pid} for its heap's range with {@code jcmd}; empty when that fails. */
    static Optional<Range> range(Path jcmd, long pid) {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return parse(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Reads {@code /proc/<pid>/smaps}; empty when it cannot be read (not Linux, or the process is gone). */
    static Optional<Resident> resident(long pid, Range heap) {
        try {
            return Optional.of(resident(Files.readString(Path.of("/proc", Long.toString(pid), "smaps")), heap));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
