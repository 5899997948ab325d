package dev.loupe.aggregator.rollup;

import java.time.Instant;

/** One row of a span rollup table: project, bucket start, the dimensions ('' when absent) and the writer's shard. */
public record SpanRollupKey(
        String projectId,
        Instant bucket,
        String kind,
        String feature,
        String model,
        String status,
        String errorType,
        String toolName,
        int shard)
        implements Comparable<SpanRollupKey> {

    @Override
    public int compareTo(SpanRollupKey o) {
        int c = projectId.compareTo(o.projectId);
        if (c == 0) c = bucket.compareTo(o.bucket);
        if (c == 0) c = kind.compareTo(o.kind);
        if (c == 0) c = feature.compareTo(o.feature);
        if (c == 0) c = model.compareTo(o.model);
        if (c == 0) c = status.compareTo(o.status);
        if (c == 0) c = errorType.compareTo(o.errorType);
        if (c == 0) c = toolName.compareTo(o.toolName);
        if (c == 0) c = Integer.compare(shard, o.shard);
        return c;
    }
}
