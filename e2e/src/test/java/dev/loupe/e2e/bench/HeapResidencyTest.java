package dev.loupe.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link HeapResidency}: the heap's range from {@code GC.heap_info} as HotSpot prints it, the resident pages inside
 * and outside it from smaps, and both read from a JVM sized as the services are, where touching a large array must
 * show up in the heap's resident pages and not outside them.
 */
class HeapResidencyTest {
    /** {@code jcmd <pid> GC.heap_info} of a JDK 17 JVM with -Xmx512m -XX:+UseParallelGC. */
    static final String PARALLEL = """
             PSYoungGen      total 158720K, used 33806K [0x00000000f5580000, 0x0000000100000000, 0x0000000100000000)
              eden space 142848K, 12% used [0x00000000f5580000,0x00000000f6707af0,0x00000000fe100000)
              from space 15872K, 99% used [0x00000000ff080000,0x00000000ffffc100,0x0000000100000000)
              to   space 15872K, 0% used [0x00000000fe100000,0x00000000fe100000,0x00000000ff080000)
             ParOldGen       total 258048K, used 175106K [0x00000000e0000000, 0x00000000efc00000, 0x00000000f5580000)
              object space 258048K, 67% used [0x00000000e0000000,0x00000000eab00ab0,0x00000000efc00000)
             Metaspace       used 125K, committed 320K, reserved 1114112K
              class space    used 4K, committed 128K, reserved 1048576K
            """;

    @Test
    void theHeapRangeSpansEveryGenerationAndNothingElse() {
        assertThat(HeapResidency.parse(PARALLEL)).contains(new HeapResidency.Range(0xe0000000L, 0x100000000L));
        assertThat(HeapResidency.parse("""
                 garbage-first heap   total 262144K, used 2048K [0x00000000f0000000, 0x0000000100000000)
                  region size 1024K, 3 young (3072K), 0 survivors (0K)
                 Metaspace       used 6K, committed 64K, reserved 1056768K [0x0000000800000000, 0x0000000840000000)
                """)).contains(new HeapResidency.Range(0xf0000000L, 0x100000000L));
        assertThat(HeapResidency.parse("12345:\ncom.sun.tools.attach.AttachNotSupportedException: no such process"))
                .isEmpty();
    }

    @Test
    void residentPagesAreSplitAtTheHeapsEdges() {
        String smaps = """
                55d0c0000000-55d0c0001000 r-xp 00000000 fd:01 123 /usr/lib/jvm/bin/java
                Size:                  4 kB
                Rss:                   4 kB
                e0000000-efc00000 rw-p 00000000 00:00 0
                Size:             258048 kB
                Rss:              175108 kB
                efc00000-f5580000 ---p 00000000 00:00 0
                Size:              88576 kB
                Rss:                   0 kB
                f5580000-100000000 rw-p 00000000 00:00 0
                Size:             174592 kB
                Rss:              128800 kB
                7f0000000000-7f0000100000 rw-p 00000000 00:00 0
                Size:               1024 kB
                Rss:                1000 kB
                """;
        HeapResidency.Resident all = HeapResidency.resident(smaps, new HeapResidency.Range(0xe0000000L, 0x100000000L));
        assertThat(all.totalKib()).isEqualTo(4 + 175_108 + 128_800 + 1_000);
        assertThat(all.heapKib()).isEqualTo(175_108 + 128_800);
        assertThat(all.outsideHeapKib()).isEqualTo(1_004);
        // a range ending half-way into the young generation's mapping counts half of its pages
        HeapResidency.Resident half =
                HeapResidency.resident(smaps, new HeapResidency.Range(0xe0000000L, 0xf5580000L + 174_592L * 1024 / 2));
        assertThat(half.heapKib()).isEqualTo(175_108 + 64_400);
    }

    @Test
    void touchingALargeArrayGrowsAJvmsHeapPagesAndNotWhatLiesOutside() throws Exception {
        // a JVM of its own, sized as the services are, whose heap starts small and untouched
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xms64m",
                        "-Xmx512m",
                        "-XX:+UseParallelGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Toucher.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("ready");
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Optional<HeapResidency.Range> range = HeapResidency.range(jcmd, child.pid());
            assertThat(range).as("jcmd GC.heap_info").isPresent();
            assertThat(range.get().end() - range.get().start()).isEqualTo(512L * 1024 * 1024);
            HeapResidency.Resident before =
                    HeapResidency.resident(child.pid(), range.get()).orElseThrow();
            long vmRssKib = Files.readAllLines(Path.of("/proc", Long.toString(child.pid()), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst()
                    .orElseThrow();
            assertThat(before.heapKib()).isPositive().isLessThan(64 * 1024);
            assertThat(before.totalKib()).isBetween(vmRssKib * 9 / 10, vmRssKib * 11 / 10);

            in.write("touch\n");
            in.flush();
            assertThat(out.readLine()).isEqualTo("touched");
            HeapResidency.Resident after =
                    HeapResidency.resident(child.pid(), range.get()).orElseThrow();
            assertThat(after.heapKib() - before.heapKib()).isGreaterThan(150 * 1024);
            assertThat(Math.abs(after.outsideHeapKib() - before.outsideHeapKib()))
                    .isLessThan(16 * 1024);
            in.write("exit\n");
            in.flush();
        } finally {
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /** The child JVM: says ready, touches 160 MiB of heap when asked, then waits to be told to exit. */
    public static final class Toucher {
        public static void main(String[] args) throws Exception {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.out.println("ready");
            in.readLine();
            byte[] touched = new byte[160 * 1024 * 1024];
            for (int i = 0; i < touched.length; i += 4096) {
                touched[i] = 1;
            }
            System.out.println(touched[touched.length - 4096] == 1 ? "touched" : "not touched");
            in.readLine();
        }
    }
}
