package dev.loupe.e2e.bench;

import dev.loupe.client.ClientMetrics;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/** The soak's Markdown report: the samples over time, then per service and group what the verdict read. */
final class SoakReport {
    private SoakReport() {}

    /** A sample as one line of the log. */
    static String line(SoakSample s, SoakSample before) {
        StringBuilder b = new StringBuilder(String.format(
                "[soak] +%4.1f min · %,.0f spans/s · acknowledged %,d items · "
                        + "stored %,d · queued %,d · lost %,d · 5xx %,d · DLQ %,d · lag %,d (%s) · heap/after GC/committed/non-heap/RSS MiB:",
                s.minutes(),
                rate(s, before),
                s.app().client().sent(),
                s.spansStored(),
                s.app().client().queued(),
                s.app().errors(),
                s.serverErrors(),
                s.deadLetters(),
                s.lagTotal(),
                s.worstGroup()));
        s.services()
                .forEach((name, x) ->
                        b.append(' ').append(shortName(name)).append(' ').append(memory(x)));
        return b.toString();
    }

    static String markdown(
            String settings, List<SoakSample> samples, SoakSample drained, double drainSeconds, SoakVerdict verdict) {
        StringBuilder r = new StringBuilder();
        SoakSample last = samples.get(samples.size() - 1);
        r.append(settings).append("\n\n");
        // a memory failure is among the failures; the memory note then says nothing (never "flat" beside it)
        String memory = verdict.memoryJudged()
                ? (verdict.memoryFlat() ? "memory flat" : "")
                : String.format(
                        "memory NOT JUDGED (the window is "
                                + "%.1f min; slopes count from %.0f: run at least %.0f minutes)",
                        verdict.windowMinutes(),
                        verdict.limits().judgedMinutes(),
                        verdict.limits().judgedMinutes() * 1.5 + 1);
        r.append(
                verdict.passed()
                        ? "**Verdict: PASS** — " + memory + ", lag bounded, data fresh, nothing lost.\n"
                        : "**Verdict: FAIL** — " + String.join("; ", verdict.failures())
                                + (memory.isEmpty() ? "" : "; " + memory) + ".\n");
        r.append(String.format(
                "%nMemory judged over the last two thirds of the traffic (%d samples, %.1f min), for leaks, not "
                        + "sizing: flat = least-squares slope ≤ %.1f MiB/min for the heap after GC (fitted on the samples "
                        + "after a forced full GC) and ≤ %.1f MiB/min for RSS outside the heap (metaspace, code, "
                        + "threads, native memory: the resident pages of every mapping minus those of the heap's "
                        + "reserved range, from /proc/<pid>/smaps; RSS − committed heap where smaps could not be read). "
                        + "RSS itself, which also grows as the JVM commits more of its heap under load, is shown as "
                        + "information. Over the whole run: "
                        + "bounded = every group's lag ≤ %,d records in every sample; fresh = visibility (a marker "
                        + "trace accepted → queryable) p99 ≤ %,.0f ms and no marker lost.%n%n",
                verdict.windowSamples(),
                verdict.windowMinutes(),
                verdict.limits().heapMibPerMinute(),
                verdict.limits().rssMibPerMinute(),
                verdict.limits().lag(),
                verdict.limits().visibilityP99Ms()));
        r.append("| service | heap after GC, first → last judged (MiB) | heap trend | RSS outside the heap, first → "
                + "last (MiB) | RSS outside the heap trend | committed heap, first → last (MiB) | committed non-heap, "
                + "first → last (MiB) | RSS, first → last (MiB) | RSS trend (information) |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (String name : last.services().keySet()) {
            r.append(String.format(
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    name,
                    judgedRange(samples, name, verdict, SoakSample.Service::heapAfterGc),
                    verdict.heap(name).describe(),
                    judgedRange(samples, name, verdict, SoakSample.Service::rssBeyondHeap),
                    verdict.rssBeyondHeap(name).describe(),
                    judgedRange(samples, name, verdict, SoakSample.Service::heapCommitted),
                    judgedRange(samples, name, verdict, SoakSample.Service::nonHeapCommitted),
                    judgedRange(samples, name, verdict, x -> x.rssKib() * 1024),
                    verdict.rss(name).describe()));
        }
        r.append("\n| consumer group | max lag, every sample | lag when the traffic stopped | after "
                + String.format("%.0f s of drain |%n|---|---|---|---|%n", drainSeconds));
        Map<String, Long> groups = new TreeMap<>(verdict.maxLag());
        groups.forEach((group, max) -> r.append(String.format(
                "| %s | %,d | %,d | %,d |%n",
                group, max, last.lag().getOrDefault(group, 0L), drained.lag().getOrDefault(group, 0L))));
        SoakVisibility v = verdict.visibility();
        r.append(String.format(
                "%nVisibility, sampled while the traffic ran: %,d marker traces (one root span each, feature `%s`, "
                        + "polled in PostgreSQL every %d ms): p50 %,.0f ms, p99 %,.0f ms, max %,.0f ms; %,d never queryable "
                        + "(lost), %,d refused by the collector.%n",
                v.sent(),
                SoakMarkers.FEATURE,
                VisibilityWatch.POLL_MILLIS,
                v.p50Ms(),
                v.p99Ms(),
                v.maxMs(),
                v.lost(),
                v.refused()));
        ClientMetrics c = drained.app().client();
        r.append(String.format(
                "%nSent %,d spans, %,d decisions, %,d feedback; the collector acknowledged %,d items in "
                        + "%,d requests (%,d retries); the aggregator stored %,d spans (and %,d marker spans). Lost by the app: %,d dropped, %,d "
                        + "rejected, %,d failed, %,d feedback calls failed. 5xx answers: %s. Dead letters: %,d. Alert "
                        + "notifications under this normal traffic: %d.%n",
                drained.app().spans(),
                drained.app().decisions(),
                drained.app().feedback(),
                c.sent(),
                c.requests(),
                c.retries(),
                Math.max(0, drained.spansStored() - v.sent()),
                v.sent(),
                c.dropped(),
                c.rejected(),
                c.failed(),
                drained.app().feedbackFailed(),
                fiveHundreds(drained),
                drained.deadLetters(),
                drained.app().alertNotifications()));
        SoakSample deepest = samples.stream()
                .max(Comparator.comparingLong((SoakSample x) -> x.app().client().queued()))
                .orElse(drained);
        r.append(String.format(
                "%nThe app's clients held at most %,d items queued, not yet sent to the collector (minute %.1f): "
                        + "those are late by as much, yet no consumer group counts them, so the verdict's lag does "
                        + "not see them. The column \"queued in the app\" shows them over time.%n",
                deepest.app().client().queued(), deepest.minutes()));
        if (drained.app().feedbackFailed() > 0) {
            r.append(String.format(
                    "%nFailed feedback calls by cause: %s.%n", drained.app().feedbackFailureCauses()));
        }
        r.append(
                "\nOver time (memory: heap used / heap after the last major GC / committed heap / committed non-heap / "
                        + "RSS, MiB; `*` = after a forced full GC; lag: all groups, and the group furthest behind):\n\n"
                        + "| min | spans/s | acknowledged items | queued in the app | stored spans | lost | 5xx | DLQ | lag "
                        + "| worst group |");
        last.services().keySet().forEach(n -> r.append(' ').append(n).append(" |"));
        r.append("\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
                .append("---|".repeat(last.services().size()))
                .append('\n');
        SoakSample before = null;
        for (SoakSample s : samples) {
            row(r, s, before);
            before = s;
        }
        row(r, drained, last);
        return r.toString();
    }

    private static void row(StringBuilder r, SoakSample s, SoakSample before) {
        r.append(String.format(
                "| %.1f | %,.0f | %,d | %,d | %,d | %,d | %,d | %,d | %,d | %s |",
                s.minutes(),
                rate(s, before),
                s.app().client().sent(),
                s.app().client().queued(),
                s.spansStored(),
                s.app().errors(),
                s.serverErrors(),
                s.deadLetters(),
                s.lagTotal(),
                s.worstGroup()));
        s.services().values().forEach(x -> r.append(' ').append(memory(x)).append(" |"));
        r.append('\n');
    }

    /** A figure's first and last value over the judged window, from the samples that have it. */
    private static String judgedRange(
            List<SoakSample> samples, String name, SoakVerdict verdict, ToLongFunction<SoakSample.Service> bytes) {
        List<SoakSample> judged = samples.subList(samples.size() - verdict.windowSamples(), samples.size()).stream()
                .filter(s -> bytes.applyAsLong(s.services().get(name)) > 0)
                .toList();
        if (judged.isEmpty()) {
            return "-";
        }
        return mib(bytes.applyAsLong(judged.get(0).services().get(name))) + " → "
                + mib(bytes.applyAsLong(judged.get(judged.size() - 1).services().get(name)));
    }

    private static String fiveHundreds(SoakSample s) {
        StringBuilder b = new StringBuilder();
        s.services()
                .forEach((name, x) -> b.append(b.length() == 0 ? "" : ", ")
                        .append(name)
                        .append(' ')
                        .append(x.serverErrors()));
        return b.toString();
    }

    private static double rate(SoakSample s, SoakSample before) {
        if (before == null || s.minutes() <= before.minutes()) {
            return 0;
        }
        return (s.app().spans() - before.app().spans()) / ((s.minutes() - before.minutes()) * 60);
    }

    private static String memory(SoakSample.Service x) {
        return mib(x.heapUsed()) + "/" + mib(x.heapAfterGc()) + (x.forcedGc() ? "*" : "") + "/" + mib(x.heapCommitted())
                + "/" + mib(x.nonHeapCommitted()) + "/" + x.rssKib() / 1024;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : Long.toString(bytes / 1048576);
    }

    private static String shortName(String service) {
        return service.replace("metrics-", "")
                .replace("trace-", "")
                .replace("-service", "")
                .replace("-manager", "");
    }
}
