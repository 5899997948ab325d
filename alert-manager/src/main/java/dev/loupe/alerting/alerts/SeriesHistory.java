package dev.loupe.alerting.alerts;

import dev.loupe.alerting.conditions.WindowPoint;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a series' stored windows ({@code alerting.metric_windows}) as conditions take them. */
public final class SeriesHistory {
    private static final String BEFORE = """
            select window_start, window_end, value, sample_size, quantiles from alerting.metric_windows
            where project_id = $1 and metric = $2 and dimensions_key = $3 and window_start < $4
            order by window_start desc limit $5""";
    private static final String RANGE = """
            select dimensions_key, dimensions::text as dimensions, window_start, window_end, value, sample_size, quantiles
            from alerting.metric_windows
            where project_id = $1 and metric = $2 and window_end > $3 and window_start < $4
            order by dimensions_key, window_start""";

    private SeriesHistory() {}

    /** The series' windows that started before {@code start}, newest first. */
    public static Uni<List<WindowPoint>> before(
            SqlClient client, String projectId, String metric, String dimensionsKey, Instant start, int limit) {
        return client.preparedQuery(BEFORE)
                .execute(Tuple.of(projectId, metric, dimensionsKey, start.atOffset(ZoneOffset.UTC), limit))
                .map(rows -> {
                    List<WindowPoint> points = new ArrayList<>();
                    rows.forEach(row -> points.add(point(row)));
                    return points;
                });
    }

    /** Every series of a metric with windows in [from, to), oldest first per series (for backtests). */
    public static Uni<Map<String, List<WindowPoint>>> range(
            SqlClient client,
            String projectId,
            String metric,
            Instant from,
            Instant to,
            Map<String, Map<String, String>> dims) {
        return client.preparedQuery(RANGE)
                .execute(Tuple.of(projectId, metric, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    Map<String, List<WindowPoint>> series = new HashMap<>();
                    for (Row row : rows) {
                        String key = row.getString("dimensions_key");
                        series.computeIfAbsent(key, k -> new ArrayList<>()).add(point(row));
                        if (!dims.containsKey(key)) {
                            Map<String, String> d = new HashMap<>();
                            new JsonObject(row.getString("dimensions"))
                                    .forEach(e -> d.put(e.getKey(), String.valueOf(e.getValue())));
                            dims.put(key, d);
                        }
                    }
                    return series;
                });
    }

    static WindowPoint point(Row row) {
        Map<String, Double> quantiles = new HashMap<>();
        Object raw = row.getValue("quantiles");
        if (raw instanceof JsonObject json) {
            json.forEach(e -> {
                if (e.getValue() instanceof Number n) {
                    quantiles.put(e.getKey(), n.doubleValue());
                }
            });
        }
        return new WindowPoint(
                row.getOffsetDateTime("window_start").toInstant(),
                row.getOffsetDateTime("window_end").toInstant(),
                row.getDouble("value"),
                row.getLong("sample_size"),
                quantiles);
    }
}
