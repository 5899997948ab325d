package dev.loupe.e2e.bench;

import org.HdrHistogram.Histogram;

/**
 * What the soak's marker traces measured (see {@link SoakMarkers}): accepted → queryable, in milliseconds.
 *
 * @param sent    markers the collector accepted
 * @param visible markers seen whole in the database (the histogram's count)
 * @param lost    accepted markers not seen within the give-up time
 * @param refused markers the collector did not accept (an error or a status other than 200)
 */
record SoakVisibility(long sent, long visible, long lost, long refused, double p50Ms, double p99Ms, double maxMs) {
    static SoakVisibility of(Histogram visible, long lost, long refused) {
        long seen = visible.getTotalCount();
        return new SoakVisibility(
                seen + lost,
                seen,
                lost,
                refused,
                seen == 0 ? 0 : visible.getValueAtPercentile(50) / 1e6,
                seen == 0 ? 0 : visible.getValueAtPercentile(99) / 1e6,
                seen == 0 ? 0 : visible.getMaxValue() / 1e6);
    }

    /** One line for the log and the report. */
    String describe() {
        return String.format(
                "visibility of %,d marker traces: p50 %,.0f ms, p99 %,.0f ms, max %,.0f ms; %,d lost, %,d refused",
                sent, p50Ms, p99Ms, maxMs, lost, refused);
    }
}
