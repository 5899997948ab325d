package dev.loupe.aggregator.spans;

import dev.loupe.common.events.SpanRecord;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes raw spans on the reactive PG client; a span already stored is left as it is (redelivery is normal). */
@ApplicationScoped
public class SpanWriter {
    private final Pool pool;

    public SpanWriter(Pool pool) {
        this.pool = pool;
    }

    /** Stores the span; the answer says whether it was new (false for a redelivered span). */
    public Uni<Boolean> write(SpanRecord span) {
        return pool.preparedQuery(SpanColumns.INSERT).execute(SpanColumns.toTuple(span))
                .map(result -> result.rowCount() == 1);
    }
}
