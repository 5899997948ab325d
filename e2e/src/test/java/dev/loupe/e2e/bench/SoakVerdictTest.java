package dev.loupe.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.client.ClientMetrics;
import dev.loupe.simulator.Soak;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The soak's verdict and its reading of /q/metrics, on made-up samples: a leak fails (in the heap after GC, or in RSS
 * outside the heap), warm-up, noise and a JVM committing more of its heap do not; lag
 * over the limit in any sample fails; visibility p99 over the limit, or a marker lost, fails.
 */
class SoakVerdictTest {
    static final SoakVerdict.Limits LIMITS = new SoakVerdict.Limits(1, 2, 10_000, 10, 5_000);
    static final long MIB = 1024 * 1024;

    /** 30 minutes sampled every 30 s; heap after GC and RSS given per minute; a forced GC every fifth sample. */
    static List<SoakSample> run(
            double heapMib, double heapGrowthPerMinute, double rssGrowthPerMinute, long lag, long dropped) {
        return run(heapMib, heapGrowthPerMinute, 0, rssGrowthPerMinute, lag, dropped);
    }

    /**
     * As above, with the committed heap (200 MiB at first) growing by {@code committedGrowthPerMinute}; RSS grows by
     * {@code rssGrowthPerMinute} in all, so RSS beyond committed heap grows by the difference.
     */
    static List<SoakSample> run(
            double heapMib,
            double heapGrowthPerMinute,
            double committedGrowthPerMinute,
            double rssGrowthPerMinute,
            long lag,
            long dropped) {
        List<SoakSample> samples = new ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            double minute = i / 2.0;
            double warmUp = minute < 8 ? (8 - minute) * -15 : 0; // RSS climbs for 8 minutes, then settles
            double noise = (i % 3 - 1) * 3; // a few MiB either way
            long heap = (long) ((heapMib + heapGrowthPerMinute * minute + noise) * MIB);
            long rssKib = (long) ((400 + warmUp + rssGrowthPerMinute * minute + noise) * 1024);
            long committed = (long) ((200 + committedGrowthPerMinute * minute) * MIB);
            Map<String, SoakSample.Service> services = new LinkedHashMap<>();
            services.put(
                    "trace-collector",
                    new SoakSample.Service(heap * 3, heap, i % 5 == 0, committed, 90 * MIB, rssKib, 0, -1));
            Soak.Progress app = new Soak.Progress(
                    Instant.EPOCH,
                    i * 60_000L,
                    i * 30_000L,
                    0,
                    0,
                    new ClientMetrics(0, 0, 0, i == 60 ? dropped : 0, 0, 0, 0, 0),
                    0,
                    i == 60,
                    Map.of());
            samples.add(new SoakSample(
                    minute, app, services, Map.of("loupe-metrics-aggregator", i == 40 ? lag : 100), 0, i * 60_000L));
        }
        return samples;
    }

    /** Markers every 5 s for 30 minutes, all queryable within 0.4–1.2 s. */
    static SoakVisibility fresh() {
        Histogram h = histogram();
        for (int i = 0; i < 360; i++) {
            h.recordValue(ms(400 + (i % 9) * 100));
        }
        return SoakVisibility.of(h, 0, 0);
    }

    static Histogram histogram() {
        return new Histogram(600_000_000_000L, 3);
    }

    static long ms(long millis) {
        return millis * 1_000_000L;
    }

    static SoakVerdict verdict(List<SoakSample> samples) {
        return verdict(samples, fresh());
    }

    static SoakVerdict verdict(List<SoakSample> samples, SoakVisibility visibility) {
        return new SoakVerdict(LIMITS, samples, 30, samples.get(samples.size() - 1), visibility);
    }

    /** The sample with other lag figures. */
    static SoakSample withLag(SoakSample s, Map<String, Long> lag) {
        return new SoakSample(s.minutes(), s.app(), s.services(), lag, s.deadLetters(), s.spansStored());
    }

    @Test
    void aFlatRunAfterItsWarmUpPasses() {
        SoakVerdict v = verdict(run(60, 0, 0, 5_000, 0));
        assertThat(v.failures()).isEmpty();
        assertThat(v.memoryJudged()).isTrue();
        assertThat(v.heap("trace-collector").basis()).isEqualTo("forced GCs");
    }

    @Test
    void aHeapThatKeepsGrowingAfterGcFails() {
        SoakVerdict v = verdict(run(60, 2, 0, 5_000, 0));
        assertThat(v.failures()).singleElement().asString().startsWith("trace-collector heap after GC grows");
        assertThat(v.heap("trace-collector").mibPerMinute()).isCloseTo(2, within(0.3));
    }

    @Test
    void growingRssLagBeyondTheLimitAndLostItemsFail() {
        assertThat(verdict(run(60, 0, 5, 25_000, 3)).failures())
                .hasSize(3)
                .anySatisfy(f -> assertThat(f).startsWith("trace-collector RSS outside the heap grows +4.9"))
                .anySatisfy(f -> assertThat(f).contains("loupe-metrics-aggregator lagged 25,000"))
                .anySatisfy(f -> assertThat(f).contains("lost 3 items"));
    }

    @Test
    void rssGrowingOnlyWithCommittedHeapPasses() {
        // ParallelGC commits 4 MiB/min more of its -Xmx under load, and RSS follows it: sizing, not a leak
        SoakVerdict v = verdict(run(60, 0, 4, 4, 5_000, 0));
        assertThat(v.failures()).isEmpty();
        assertThat(v.rss("trace-collector").mibPerMinute()).isCloseTo(4, within(0.3));
        assertThat(v.rssBeyondHeap("trace-collector").mibPerMinute()).isCloseTo(0, within(0.3));
        assertThat(v.rssBeyondHeap("trace-collector").flat()).isTrue();
    }

    @Test
    void rssGrowingBeyondCommittedHeapFails() {
        // committed heap +1 MiB/min, RSS +4: 3 MiB/min outside the heap (metaspace, threads, native) is a leak
        SoakVerdict v = verdict(run(60, 0, 1, 4, 5_000, 0));
        assertThat(v.failures())
                .singleElement()
                .asString()
                .isEqualTo("trace-collector RSS outside the heap grows +2.99 MiB/min over 41 samples");
        assertThat(v.rssBeyondHeap("trace-collector").mibPerMinute()).isCloseTo(3, within(0.3));
    }

    /**
     * eval-runner in the soak of 2026-12-07 09:56: ParallelGC grew its committed heap from 288 to 408 MiB at minutes
     * 19–20.5 and gave it back by minute 26, while the heap's resident pages followed it up at once and down only
     * by minute 30: RSS minus committed heap went from about 0 to +58 MiB and back. Outside the heap the process held a steady ~30 MiB. {@code smaps}: whether the samples carry
     * the smaps reading of what lies outside the heap.
     */
    static List<SoakSample> heapResize(boolean smaps) {
        List<SoakSample> samples = new ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            double minute = i / 2.0;
            double committed = minute < 19
                    ? 288
                    : minute <= 20.5 ? 288 + (minute - 19) * 80 : Math.max(289, 408 - (minute - 20.5) * 21.6);
            double resident =
                    minute < 19 ? 255 : minute <= 20.5 ? committed - 5 : Math.max(255, 403 - (minute - 20.5) * 15.5);
            double outside = 30 + (i % 3 - 1) * 2;
            long heap = 40 * MIB;
            Map<String, SoakSample.Service> services = new LinkedHashMap<>();
            services.put(
                    "eval-runner",
                    new SoakSample.Service(
                            heap * 2,
                            heap,
                            i % 5 == 0,
                            (long) (committed * MIB),
                            110 * MIB,
                            (long) ((resident + outside) * 1024),
                            0,
                            smaps ? (long) (outside * 1024) : -1));
            samples.add(new SoakSample(
                    minute,
                    new Soak.Progress(
                            Instant.EPOCH,
                            i * 60_000L,
                            i * 30_000L,
                            0,
                            0,
                            new ClientMetrics(0, 0, 0, 0, 0, 0, 0, 0),
                            0,
                            i == 60,
                            Map.of()),
                    services,
                    Map.of("loupe-eval-runner", 100L),
                    0,
                    i * 60_000L));
        }
        return samples;
    }

    @Test
    void aHeapResizeIsNoLeakWhenWhatLiesOutsideTheHeapIsReadFromSmaps() {
        SoakVerdict measured = verdict(heapResize(true));
        assertThat(measured.failures()).isEmpty();
        assertThat(measured.rssBeyondHeap("eval-runner").mibPerMinute()).isCloseTo(0, within(0.3));
        // without smaps the rule falls back to RSS minus committed heap, which reads the same resize as growth
        SoakVerdict fallback = verdict(heapResize(false));
        assertThat(fallback.failures())
                .singleElement()
                .asString()
                .startsWith("eval-runner RSS outside the heap grows +");
        assertThat(fallback.rssBeyondHeap("eval-runner").mibPerMinute()).isGreaterThan(2);
    }

    @Test
    void aReportWhoseMemoryFailedNeverCallsItFlat() {
        List<SoakSample> samples = run(60, 0, 1, 4, 5_000, 0);
        String report = SoakReport.markdown("settings", samples, samples.get(60), 2, verdict(samples));
        assertThat(report)
                .contains("**Verdict: FAIL** — trace-collector RSS outside the heap grows +2.99 MiB/min over 41 "
                        + "samples.\n")
                .doesNotContain("memory flat");
        List<SoakSample> lagging = run(60, 0, 0, 25_000, 0);
        assertThat(SoakReport.markdown("settings", lagging, lagging.get(60), 2, verdict(lagging)))
                .contains("lagged 25,000 records (limit 10,000); memory flat.\n");
    }

    @Test
    void heapAfterGcGrowingFailsEvenWhenRssIsExplainedByCommittedHeap() {
        // the heap the JVM commits grows with what it holds after GC: RSS is explained, the heap still leaks
        SoakVerdict v = verdict(run(60, 2, 3, 3, 5_000, 0));
        assertThat(v.failures()).singleElement().asString().startsWith("trace-collector heap after GC grows +1.88");
        assertThat(v.rssBeyondHeap("trace-collector").flat()).isTrue();
    }

    @Test
    void theReportStatesTheMemoryRuleAndShowsRssAsInformation() {
        List<SoakSample> samples = run(60, 0, 4, 4, 5_000, 0);
        String report = SoakReport.markdown("settings", samples, samples.get(60), 2, verdict(samples));
        assertThat(report)
                .contains("**Verdict: PASS** — memory flat")
                .contains(
                        "≤ 2.0 MiB/min for RSS outside the heap (metaspace, code, threads, native memory: the resident "
                                + "pages of every mapping minus those of the heap's reserved range")
                .contains("RSS itself, which also grows as the JVM commits more of its heap under load, is shown as "
                        + "information")
                .contains("| RSS trend (information) |")
                // committed heap 200 + 4/min from minute 10 to 30; RSS (noise included) 443 → 517
                .contains("| 240 → 320 | 90 → 90 | 443 → 517 | +3.99 MiB/min over 41 samples |")
                .contains("| 171/57*/320/90/517 |");
        assertThat(SoakReport.line(samples.get(60), samples.get(59)))
                .endsWith("heap/after GC/committed/non-heap/RSS MiB: collector 171/57*/320/90/517");
    }

    @Test
    void aShortRunDoesNotJudgeMemory() {
        List<SoakSample> threeMinutes = run(60, 5, 20, 100, 0).subList(0, 7);
        SoakVerdict v = new SoakVerdict(LIMITS, threeMinutes, 3, threeMinutes.get(6), fresh());
        assertThat(v.memoryJudged()).isFalse();
        assertThat(v.failures()).isEmpty();
    }

    @Test
    void lagOverTheLimitInAnySampleFailsTheWarmUpIncluded() {
        List<SoakSample> samples = new ArrayList<>(run(60, 0, 0, 100, 0));
        // minute 2: before the window memory is judged on, yet data was 12,001 records late
        samples.set(4, withLag(samples.get(4), Map.of("loupe-metrics-aggregator", 12_001L, "loupe-decisions", 3_000L)));
        SoakVerdict v = verdict(samples);
        assertThat(v.failures())
                .singleElement()
                .asString()
                .isEqualTo("consumer group loupe-metrics-aggregator lagged 12,001 records (limit 10,000)");
        assertThat(v.maxLag())
                .containsEntry("loupe-metrics-aggregator", 12_001L)
                .containsEntry("loupe-decisions", 3_000L);
    }

    @Test
    void lagAtTheLimitPassesAndTheReportShowsTheMaxPerGroup() {
        List<SoakSample> samples = new ArrayList<>(run(60, 0, 0, 10_000, 0));
        samples.set(10, withLag(samples.get(10), Map.of("loupe-metrics-aggregator", 100L, "loupe-decisions", 7_500L)));
        SoakVerdict v = verdict(samples);
        assertThat(v.failures()).isEmpty();
        assertThat(v.maxLag())
                .containsEntry("loupe-metrics-aggregator", 10_000L)
                .containsEntry("loupe-decisions", 7_500L);
        String report = SoakReport.markdown("settings", samples, samples.get(60), 2, v);
        assertThat(report)
                .contains("**Verdict: PASS**")
                .contains("| loupe-metrics-aggregator | 10,000 |")
                .contains("| loupe-decisions | 7,500 |")
                .contains("p99 1,2")
                .contains("360 marker traces");
    }

    /**
     * Items waiting in the app's clients are late too, but no consumer group holds them: the report names the deepest
     * queue and when, and shows the queue in every row.
     */
    @Test
    void theReportShowsWhatTheAppsClientsStillHeldQueued() {
        List<SoakSample> samples = new ArrayList<>(run(60, 0, 0, 100, 0));
        samples.set(8, withQueued(samples.get(8), 116_104));
        samples.set(9, withQueued(samples.get(9), 46_452));
        String report = SoakReport.markdown("settings", samples, samples.get(60), 2, verdict(samples));
        assertThat(report)
                .contains("The app's clients held at most 116,104 items queued, not yet sent to the collector "
                        + "(minute 4.0)")
                .contains("| acknowledged items | queued in the app |")
                .containsPattern("\\| 4\\.0 \\| [0-9,]+ \\| 0 \\| 116,104 \\| 480,000 \\|")
                .containsPattern("\\| 4\\.5 \\| [0-9,]+ \\| 0 \\| 46,452 \\| 540,000 \\|");
    }

    /** The sample with the app's clients holding {@code queued} items. */
    static SoakSample withQueued(SoakSample s, long queued) {
        Soak.Progress p = s.app();
        ClientMetrics c = p.client();
        Soak.Progress app = new Soak.Progress(
                p.at(),
                p.spans(),
                p.decisions(),
                p.feedback(),
                p.feedbackFailed(),
                new ClientMetrics(
                        queued,
                        c.enqueued(),
                        c.sent(),
                        c.dropped(),
                        c.rejected(),
                        c.failed(),
                        c.retries(),
                        c.requests()),
                p.alertNotifications(),
                p.played(),
                p.feedbackFailures());
        return new SoakSample(s.minutes(), app, s.services(), s.lag(), s.deadLetters(), s.spansStored());
    }

    @Test
    void visibilityP99OverTheLimitFails() {
        Histogram h = histogram();
        for (int i = 0; i < 98; i++) {
            h.recordValue(ms(1_000));
        }
        h.recordValue(ms(7_000));
        h.recordValue(ms(7_000));
        SoakVerdict v = verdict(run(60, 0, 0, 100, 0), SoakVisibility.of(h, 0, 0));
        assertThat(v.visibility().p99Ms()).isCloseTo(7_000, within(10.0));
        assertThat(v.failures()).singleElement().asString().startsWith("visibility p99 was 7,00");
    }

    @Test
    void oneSlowMarkerInTwoHundredIsNotTheP99() {
        Histogram h = histogram();
        for (int i = 0; i < 199; i++) {
            h.recordValue(ms(1_000));
        }
        h.recordValue(ms(9_000));
        SoakVerdict v = verdict(run(60, 0, 0, 100, 0), SoakVisibility.of(h, 0, 0));
        assertThat(v.failures()).isEmpty();
        assertThat(v.visibility().maxMs()).isCloseTo(9_000, within(10.0));
    }

    @Test
    void aLostMarkerFails() {
        Histogram h = histogram();
        h.recordValue(ms(500));
        SoakVerdict v = verdict(run(60, 0, 0, 100, 0), SoakVisibility.of(h, 1, 0));
        assertThat(v.visibility().sent()).isEqualTo(2);
        assertThat(v.failures())
                .singleElement()
                .asString()
                .isEqualTo("1 of 2 marker traces never became queryable (lost)");
    }

    @Test
    void aRefusedMarkerOrNoneAtAllFails() {
        assertThat(verdict(run(60, 0, 0, 100, 0), SoakVisibility.of(histogramOf(800), 0, 2))
                        .failures())
                .singleElement()
                .asString()
                .isEqualTo("the collector refused 2 marker traces");
        assertThat(verdict(run(60, 0, 0, 100, 0), SoakVisibility.of(histogram(), 0, 0))
                        .failures())
                .singleElement()
                .asString()
                .startsWith("visibility not measured");
    }

    static Histogram histogramOf(long millis) {
        Histogram h = histogram();
        h.recordValue(ms(millis));
        return h;
    }

    @Test
    void prometheusSamplesAreSummedByLabel() {
        PrometheusText text = new PrometheusText("""
                # HELP jvm_memory_used_bytes The amount of used memory
                jvm_memory_used_bytes{area="heap",id="PS Eden Space"} 1.048576E7
                jvm_memory_used_bytes{area="heap",id="PS Old Gen"} 2.097152E7
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
                http_server_requests_seconds_count{method="POST",outcome="SERVER_ERROR",status="503",uri="/v1/spans"} 4.0
                http_server_requests_seconds_count{method="POST",outcome="SUCCESS",status="200",uri="/v1/{x,\\"y\\"}"} 9.0
                jvm_memory_committed_bytes{area="heap",id="PS Eden Space"} 1.6777216E8
                jvm_memory_committed_bytes{area="heap",id="PS Old Gen"} 3.3554432E8
                jvm_memory_committed_bytes{area="nonheap",id="Metaspace"} 6.2914560E7
                jvm_memory_committed_bytes{area="nonheap",id="CodeHeap 'non-profiled nmethods'"} 4194304.0
                jvm_gc_live_data_size_bytes 1234.0
                """);
        assertThat(text.sum("jvm_memory_committed_bytes", l -> "heap".equals(l.get("area"))))
                .isEqualTo(480 * MIB);
        assertThat(text.sum("jvm_memory_committed_bytes", l -> "nonheap".equals(l.get("area"))))
                .isEqualTo(64 * MIB);
        assertThat(text.sum("jvm_memory_used_bytes", l -> "heap".equals(l.get("area"))))
                .isEqualTo(3.145728E7);
        assertThat(text.sum(
                        "http_server_requests_seconds_count",
                        l -> l.get("status").startsWith("5")))
                .isEqualTo(4);
        assertThat(text.sum("jvm_gc_live_data_size_bytes")).isEqualTo(1234);
        assertThat(text.sum("absent_metric")).isEqualTo(-1);
    }
}
