package dev.loupe.aggregator.windows;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.TreeSet;

/**
 * The 1-minute windows a transaction touched. Written in the same transaction as the data, so a window is
 * marked changed exactly when its numbers changed; the {@link WindowCloser} publishes changed windows.
 */
public final class WindowMarks {
    private static final String MARK = """
            insert into telemetry.window_marks (project_id, window_start, shard)
            select * from unnest($1::text[], $2::timestamptz[], $3::smallint[]) order by 1, 2, 3
            on conflict (project_id, window_start, shard) do update set changes = telemetry.window_marks.changes + 1""";

    private final Set<String> seen = new TreeSet<>();

    /** {@code shard}: the writer's shard (a span partition), so concurrent writers bump different rows. */
    public void mark(String projectId, Instant time, int shard) {
        seen.add(projectId + '\u0000' + time.truncatedTo(ChronoUnit.MINUTES) + '\u0000' + shard);
    }

    public Uni<Void> write(SqlConnection connection) {
        if (seen.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] projects = new String[seen.size()];
        OffsetDateTime[] starts = new OffsetDateTime[seen.size()];
        Short[] shards = new Short[seen.size()];
        int i = 0;
        for (String entry : seen) {
            String[] parts = entry.split("\u0000");
            projects[i] = parts[0];
            starts[i] = Instant.parse(parts[1]).atOffset(ZoneOffset.UTC);
            shards[i] = Short.parseShort(parts[2]);
            i++;
        }
        return connection
                .preparedQuery(MARK)
                .execute(Tuple.of(projects, starts, shards))
                .replaceWithVoid();
    }
}
