package dev.loupe.feedback.outbox;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.SchemaVersions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The outbox is {@code feedback.feedback} itself: a row with {@code published_at} null has not been acknowledged
 * by Kafka yet. Rows are claimed under a lease ({@code for update skip locked}), so replicas share the work and a
 * claim held by one is skipped by the others until it runs out. Times come from the database's clock, the one
 * clock every replica agrees on.
 */
@ApplicationScoped
public class FeedbackOutbox {
    private static final String CLAIM = """
            update feedback.feedback f set lease_until = now() + $2::bigint * interval '1 millisecond'
            where f.id in (select id from feedback.feedback
                           where published_at is null and (lease_until is null or lease_until < now())
                           order by received_at, seq
                           limit $1
                           for update skip locked)
            returning f.id, f.project_id, f.decision_id, f.signal, f.correction, f.feedback_text, f.user_id,
                      f.occurred_at, f.received_at, f.seq, f.lease_until""";

    /** A row claimed for publication; {@code leaseUntil} also identifies the claim when it is given back. */
    public record Claimed(FeedbackRecord record, OffsetDateTime receivedAt, long seq, OffsetDateTime leaseUntil) {
        public String id() {
            return record.feedbackId();
        }
    }

    private final Pool pool;

    public FeedbackOutbox(Pool pool) {
        this.pool = pool;
    }

    /** Claims up to {@code limit} unpublished, unleased rows for {@code lease}, oldest first. */
    public Uni<List<Claimed>> claim(int limit, Duration lease) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of((long) limit, lease.toMillis())).map(rows -> {
            List<Claimed> claimed = new ArrayList<>(rows.size());
            for (Row row : rows) {
                claimed.add(new Claimed(record(row), row.getOffsetDateTime("received_at"), row.getLong("seq"),
                        row.getOffsetDateTime("lease_until")));
            }
            // RETURNING does not keep the sub-select's order
            claimed.sort(Comparator.comparing(Claimed::receivedAt).thenComparingLong(Claimed::seq));
            return claimed;
        });
    }

    /** Marks rows Kafka acknowledged; they leave the outbox. */
    public Uni<Void> markPublished(List<String> ids) {
        return pool.preparedQuery("update feedback.feedback set published_at = now(), lease_until = null "
                + "where id = any($1)").execute(Tuple.of(ids.toArray(String[]::new))).replaceWithVoid();
    }

    /** Gives back rows of a claim that Kafka did not acknowledge, so the next round retries them at once. */
    public Uni<Void> release(List<String> ids, OffsetDateTime leaseUntil) {
        return pool.preparedQuery("update feedback.feedback set lease_until = null "
                        + "where id = any($1) and published_at is null and lease_until = $2")
                .execute(Tuple.of(ids.toArray(String[]::new), leaseUntil)).replaceWithVoid();
    }

    /** Rows not yet published. */
    public Uni<Long> pending() {
        return pool.query("select count(*) from feedback.feedback where published_at is null").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private static FeedbackRecord record(Row row) {
        return new FeedbackRecord(SchemaVersions.CURRENT, row.getString("project_id"), row.getString("id"),
                row.getString("decision_id"), FeedbackSignal.valueOf(row.getString("signal")),
                row.getString("correction"), row.getString("feedback_text"), row.getString("user_id"),
                row.getOffsetDateTime("occurred_at").toInstant());
    }
}
