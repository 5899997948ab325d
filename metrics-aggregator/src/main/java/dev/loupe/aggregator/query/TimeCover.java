package dev.loupe.aggregator.query;

import dev.loupe.aggregator.rollup.Granularity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a range into the fewest rollup rows that cover it exactly: whole days from the daily table, the
 * hours at either edge from the hourly one, the minutes at the very edges from the minute one. So a 30-day
 * question reads about 30 days + 46 hours + 118 minutes of rollup rows, not millions of spans.
 */
public final class TimeCover {
    /** One part of the cover: rows of {@code granularity} with bucket in [from, to). */
    public record Segment(Granularity granularity, Instant from, Instant to) {}

    private TimeCover() {}

    /** [from, to) rounded outward to whole minutes, then covered. */
    public static List<Segment> of(Instant from, Instant to) {
        Instant start = Granularity.MINUTE.floor(from);
        Instant end = Granularity.MINUTE.ceil(to);
        List<Segment> segments = new ArrayList<>();
        cover(start, end, Granularity.DAY, segments);
        return segments;
    }

    private static void cover(Instant start, Instant end, Granularity g, List<Segment> out) {
        if (!start.isBefore(end)) {
            return;
        }
        if (g == Granularity.MINUTE) {
            out.add(new Segment(g, start, end));
            return;
        }
        Instant innerStart = g.ceil(start);
        Instant innerEnd = g.floor(end);
        Granularity finer = g == Granularity.DAY ? Granularity.HOUR : Granularity.MINUTE;
        if (!innerStart.isBefore(innerEnd)) {
            cover(start, end, finer, out);
            return;
        }
        cover(start, innerStart, finer, out);
        out.add(new Segment(g, innerStart, innerEnd));
        cover(innerEnd, end, finer, out);
    }
}
