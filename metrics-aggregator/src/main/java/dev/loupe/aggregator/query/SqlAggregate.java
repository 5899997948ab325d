package dev.loupe.aggregator.query;

import dev.loupe.aggregator.rollup.Granularity;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the grouped SQL of a metric query: the point time ({@code t}), one column per requested
 * dimension ({@code d0}, {@code d1}…), the caller's measures, and conditions whose values are always bind
 * parameters. Dimension names are checked against the metric's set before they get here; only their
 * mapped expressions reach the SQL text.
 */
final class SqlAggregate {
    private final String from;
    private final List<String> select = new ArrayList<>();
    private final List<String> where = new ArrayList<>();
    private final List<String> groupBy = new ArrayList<>();
    private final Tuple args = Tuple.tuple();

    private SqlAggregate(String from) {
        this.from = from;
    }

    /** {@code from} is a table or a join. */
    static SqlAggregate from(String from) {
        return new SqlAggregate(from);
    }

    /** The point time: the bucket of {@code timeColumn}, or {@code pointTime} for every row when unbucketed. */
    SqlAggregate time(String timeColumn, Granularity bucket, Instant pointTime) {
        if (bucket == null) {
            select.add(bind(pointTime.atOffset(ZoneOffset.UTC)) + "::timestamptz as t");
        } else {
            select.add("date_trunc('" + unit(bucket) + "', " + timeColumn + ", 'UTC') as t");
        }
        groupBy.add("t");
        return this;
    }

    SqlAggregate dimensions(List<String> names, Map<String, String> expressions) {
        for (int i = 0; i < names.size(); i++) {
            select.add(expressions.get(names.get(i)) + " as d" + i);
            groupBy.add("d" + i);
        }
        return this;
    }

    /**
     * Columns {@code d0}, {@code d1}… for every dimension of {@code union}, grouped by each of {@code sets}
     * ({@code grouping sets}); a dimension not in a row's set is null there. Column {@code g} is
     * {@code grouping(…)} over {@code union}: {@link #grouping} of the row's set (0 when {@code union} is empty).
     */
    SqlAggregate dimensionSets(List<String> union, List<List<String>> sets, Map<String, String> expressions) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < union.size(); i++) {
            String e = expressions.get(union.get(i));
            select.add(e + " as d" + i);
            all.add(e);
        }
        select.add(all.isEmpty() ? "0 as g" : "grouping(" + String.join(", ", all) + ") as g");
        List<String> grouped = new ArrayList<>();
        for (List<String> set : sets) {
            List<String> es = new ArrayList<>();
            set.forEach(d -> es.add(expressions.get(d)));
            grouped.add("(" + String.join(", ", es) + ")");
        }
        groupBy.add("grouping sets (" + String.join(", ", grouped) + ")");
        return this;
    }

    /** What {@code grouping(…)} over {@code union} answers for rows of {@code set}: a bit set per absent dimension. */
    static int grouping(List<String> union, List<String> set) {
        int bits = 0;
        for (String d : union) {
            bits = (bits << 1) | (set.contains(d) ? 0 : 1);
        }
        return bits;
    }

    /** Groups by one more expression that is not a dimension of the answer (e.g. the session of a sub-query). */
    SqlAggregate alsoGroupBy(String expression) {
        select.add(expression);
        groupBy.add(expression);
        return this;
    }

    SqlAggregate measures(String measures) {
        select.add(measures);
        return this;
    }

    /** A condition with one {@code ?} placeholder for {@code value}. */
    SqlAggregate where(String condition, Object value) {
        where.add(condition.replace("?", bind(value)));
        return this;
    }

    SqlAggregate where(String condition) {
        where.add(condition);
        return this;
    }

    SqlAggregate range(String timeColumn, Instant start, Instant end) {
        where(timeColumn + " >= ?", start.atOffset(ZoneOffset.UTC));
        return where(timeColumn + " < ?", end.atOffset(ZoneOffset.UTC));
    }

    SqlAggregate filters(Map<String, String> filters, Map<String, String> expressions) {
        filters.forEach((name, value) -> where(expressions.get(name) + " = ?", value));
        return this;
    }

    String sql() {
        return "select " + String.join(", ", select) + " from " + from
                + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                + " group by " + String.join(", ", groupBy);
    }

    Tuple args() {
        return args;
    }

    private String bind(Object value) {
        args.addValue(value);
        return "$" + args.size();
    }

    static String unit(Granularity g) {
        return switch (g) {
            case MINUTE -> "minute";
            case HOUR -> "hour";
            case DAY -> "day";
        };
    }
}
