package dev.loupe.common.sql;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.stream.Collectors;

/**
 * The one way retention jobs delete: {@code slice} rows per statement until fewer come back, so a large
 * backlog never holds one long transaction or lock. {@code where} may use {@code $1}… from {@code args}.
 */
public final class SlicedDelete {
    private SlicedDelete() {}

    /** Deletes every row of {@code table} matching {@code where}; returns how many. */
    public static Uni<Long> run(Pool pool, String table, String where, Tuple args, int slice) {
        String sql = "delete from " + table + " where ctid = any (array(select ctid from " + table + " where " + where
                + " limit " + slice + "))";
        return Multi.createBy()
                .repeating()
                .uni(() -> pool.preparedQuery(sql).execute(args).map(r -> (long) r.rowCount()))
                .whilst(n -> n == slice)
                .collect()
                .with(Collectors.summingLong(Long::longValue));
    }
}
