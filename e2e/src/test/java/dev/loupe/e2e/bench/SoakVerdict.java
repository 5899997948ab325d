package dev.loupe.e2e.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Judges a soak over the last two thirds of its traffic (the first third is warm-up: JIT, heap growing to its
 * working size, caches filling): memory is flat when the least-squares slope of each service's heap after GC and
 * of its RSS outside the heap ({@link SoakSample.Service#rssBeyondHeap()}) stay under the limits. The verdict judges
 * leaks, not sizing: a JVM that commits more of its -Xmx under load grows its RSS with its committed heap, and what
 * that heap holds is judged by the heap after GC; RSS itself is fitted for the report only. Over the whole run,
 * warm-up included: lag is bounded when no group's lag, in any sample, exceeds the limit; data is fresh when the
 * marker traces' visibility p99 stays under its limit and none was lost; and nothing is lost.
 */
final class SoakVerdict {
    /**
     * The limits, in MiB per minute, records and milliseconds; {@code rssMibPerMinute} applies to RSS outside
     * the heap. Memory is judged only over a window of at least {@code judgedMinutes}, since a shorter one sees
     * the JVMs warm up, not leak.
     */
    record Limits(
            double heapMibPerMinute, double rssMibPerMinute, long lag, double judgedMinutes, double visibilityP99Ms) {}

    /** A slope and what it was fitted on ("forced GCs", "major GCs", "samples"), or why it was not. */
    record Trend(double mibPerMinute, int points, String basis, boolean judged, boolean flat) {
        String describe() {
            String fit = String.format("%+.2f MiB/min over %d %s", mibPerMinute, points, basis);
            return points < 3 ? "not judged (" + points + " " + basis + ")" : judged ? fit : fit + ", not judged";
        }
    }

    private final Limits limits;
    private final List<SoakSample> window;
    private final Map<String, Trend> heap = new LinkedHashMap<>();
    private final Map<String, Trend> rss = new LinkedHashMap<>();
    private final Map<String, Trend> rssBeyondHeap = new LinkedHashMap<>();
    private final Map<String, Long> maxLag = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final SoakVisibility visibility;

    /**
     * @param traffic    the samples taken while the traffic ran
     * @param last       the sample after the drain
     * @param visibility what the marker traces measured while the traffic ran
     */
    SoakVerdict(
            Limits limits,
            List<SoakSample> traffic,
            double trafficMinutes,
            SoakSample last,
            SoakVisibility visibility) {
        this.limits = limits;
        this.visibility = visibility;
        this.window =
                traffic.stream().filter(s -> s.minutes() >= trafficMinutes / 3).toList();
        boolean longEnough = windowMinutes() >= limits.judgedMinutes();
        for (String service : last.services().keySet()) {
            List<SoakSample> forced = window.stream()
                    .filter(s -> s.services().get(service).forcedGc())
                    .toList();
            heap.put(
                    service,
                    forced.size() >= 3
                            ? trend(
                                    forced,
                                    service,
                                    SoakSample.Service::heapAfterGc,
                                    "forced GCs",
                                    limits.heapMibPerMinute(),
                                    longEnough)
                            : trend(
                                    window.stream()
                                            .filter(s ->
                                                    s.services().get(service).heapAfterGc() > 0)
                                            .toList(),
                                    service,
                                    SoakSample.Service::heapAfterGc,
                                    "samples after major GCs",
                                    limits.heapMibPerMinute(),
                                    longEnough));
            // information: RSS follows the heap the JVM commits, which is sizing, not a leak
            rss.put(
                    service,
                    trend(window, service, x -> x.rssKib() * 1024, "samples", Double.POSITIVE_INFINITY, longEnough));
            rssBeyondHeap.put(
                    service,
                    trend(
                            window,
                            service,
                            SoakSample.Service::rssBeyondHeap,
                            "samples",
                            limits.rssMibPerMinute(),
                            longEnough));
            if (!heap.get(service).flat()) {
                failures.add(
                        service + " heap after GC grows " + heap.get(service).describe());
            }
            if (!rssBeyondHeap.get(service).flat()) {
                failures.add(service + " RSS outside the heap grows "
                        + rssBeyondHeap.get(service).describe());
            }
        }
        // every sample, warm-up and drain included: data late at minute 2 is as late as at minute 20
        traffic.forEach(s -> s.lag().forEach((group, lag) -> maxLag.merge(group, lag, Math::max)));
        last.lag().forEach((group, lag) -> maxLag.merge(group, lag, Math::max));
        maxLag.forEach((group, lag) -> {
            if (lag > limits.lag()) {
                failures.add(
                        String.format("consumer group %s lagged %,d records (limit %,d)", group, lag, limits.lag()));
            }
        });
        if (visibility.sent() == 0) {
            failures.add("visibility not measured: no marker trace was accepted");
        } else if (visibility.p99Ms() > limits.visibilityP99Ms()) {
            failures.add(String.format(
                    "visibility p99 was %,.0f ms (limit %,.0f ms)", visibility.p99Ms(), limits.visibilityP99Ms()));
        }
        if (visibility.lost() > 0) {
            failures.add(String.format(
                    "%,d of %,d marker traces never became queryable (lost)", visibility.lost(), visibility.sent()));
        }
        if (visibility.refused() > 0) {
            failures.add(String.format("the collector refused %,d marker traces", visibility.refused()));
        }
        long lost = last.app().errors();
        if (lost > 0) {
            failures.add(String.format("the app lost %,d items (dropped, rejected, failed, feedback)", lost));
        }
        if (last.app().client().queued() > 0) {
            failures.add(String.format(
                    "%,d items still queued in the app a minute after the traffic stopped",
                    last.app().client().queued()));
        }
        if (last.serverErrors() > 0) {
            failures.add(String.format("%,d 5xx answers", last.serverErrors()));
        }
        if (last.deadLetters() > 0) {
            failures.add(String.format("%,d records on dead-letter topics", last.deadLetters()));
        }
    }

    private static Trend trend(
            List<SoakSample> samples,
            String service,
            ToLongFunction<SoakSample.Service> bytes,
            String basis,
            double limit,
            boolean judged) {
        double[] x = samples.stream().mapToDouble(SoakSample::minutes).toArray();
        double[] y = samples.stream()
                .mapToDouble(s -> bytes.applyAsLong(s.services().get(service)) / 1048576.0)
                .toArray();
        if (x.length < 3) {
            return new Trend(0, x.length, basis, false, true);
        }
        double slope = slope(x, y);
        return new Trend(slope, x.length, basis, judged, !judged || slope <= limit);
    }

    /** Least-squares slope of y over x. */
    static double slope(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    boolean passed() {
        return failures.isEmpty();
    }

    List<String> failures() {
        return failures;
    }

    Trend heap(String service) {
        return heap.get(service);
    }

    /** RSS itself: reported, not judged. */
    Trend rss(String service) {
        return rss.get(service);
    }

    /** RSS outside the heap: judged against {@link Limits#rssMibPerMinute()}. */
    Trend rssBeyondHeap(String service) {
        return rssBeyondHeap.get(service);
    }

    Map<String, Long> maxLag() {
        return maxLag;
    }

    SoakVisibility visibility() {
        return visibility;
    }

    Limits limits() {
        return limits;
    }

    int windowSamples() {
        return window.size();
    }

    /** Minutes between the first and the last sample of the judged window. */
    double windowMinutes() {
        return window.size() < 2
                ? 0
                : window.get(window.size() - 1).minutes() - window.get(0).minutes();
    }

    /** Memory was judged and every service's heap after GC and RSS outside the heap stayed flat. */
    boolean memoryFlat() {
        return memoryJudged()
                && heap.values().stream().allMatch(Trend::flat)
                && rssBeyondHeap.values().stream().allMatch(Trend::flat);
    }

    /** Whether the window was long enough for the memory slopes to count. */
    boolean memoryJudged() {
        return windowMinutes() >= limits.judgedMinutes();
    }
}
