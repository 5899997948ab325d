package dev.loupe.feedback.outbox;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.feedback.FeedbackRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The outbox is {@code feedback.feedback} itself: a row with {@code published_at} null has not been acknowledged
 * by Kafka yet, so the feedback and its outbox entry are one row, committed in one transaction. Rows are claimed
 * under a lease ({@code for update skip locked}), so replicas share the work and a claim held by one is skipped by
 * the others until it runs out. Times come from the database's clock, the one clock every replica agrees on.
 * <p>
 * Marking, giving back and counting go through Panache ({@link FeedbackRepository}), like every other read and
 * write of {@link dev.loupe.feedback.FeedbackEntity}. Only the claim is SQL on the reactive pool, because Panache
 * (HQL) cannot say it as one statement: it is an {@code update … returning} over a sub-select locked with
 * {@code for update skip locked}, the lease computed from the database's {@code now()}. HQL has no
 * {@code returning}, so Panache could only claim with a locked select followed by an update of the ids it got,
 * in a transaction: two round trips with the row locks held in between, for every round of every replica.
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
    private final FeedbackRepository repository;
    private final Vertx vertx;

    public FeedbackOutbox(Pool pool, FeedbackRepository repository, Vertx vertx) {
        this.pool = pool;
        this.repository = repository;
        this.vertx = vertx;
    }

    /**
     * Claims up to {@code limit} unpublished, unleased rows for {@code lease}, oldest first. SQL on the pool, not
     * Panache: see the class comment.
     */
    public Uni<List<Claimed>> claim(int limit, Duration lease) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of((long) limit, lease.toMillis()))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        claimed.add(new Claimed(
                                record(row),
                                row.getOffsetDateTime("received_at"),
                                row.getLong("seq"),
                                row.getOffsetDateTime("lease_until")));
                    }
                    // RETURNING does not keep the sub-select's order
                    claimed.sort(Comparator.comparing(Claimed::receivedAt).thenComparingLong(Claimed::seq));
                    return claimed;
                });
    }

    /** Marks rows Kafka acknowledged; they leave the outbox. */
    public Uni<Void> markPublished(List<String> ids) {
        return onVertxContext(() -> Panache.withTransaction(() -> repository.markPublished(ids)))
                .replaceWithVoid();
    }

    /** Gives back rows of a claim that Kafka did not acknowledge, so the next round retries them at once. */
    public Uni<Void> release(List<String> ids, OffsetDateTime leaseUntil) {
        return onVertxContext(() -> Panache.withTransaction(() -> repository.release(ids, leaseUntil.toInstant())))
                .replaceWithVoid();
    }

    /** Rows not yet published. */
    public Uni<Long> pending() {
        return onVertxContext(() -> Panache.withSession(repository::countUnpublished));
    }

    /**
     * Runs Panache work on a Vert.x context of its own, as Hibernate Reactive requires: the relay settles a round on
     * whichever thread Kafka acknowledged on, and tests call from theirs. A new duplicated context each time, so
     * the work never joins a session some other caller has open.
     */
    private <T> Uni<T> onVertxContext(Supplier<Uni<? extends T>> work) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom()
                .<T>deferred(work)
                .runSubscriptionOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private static FeedbackRecord record(Row row) {
        return new FeedbackRecord(
                SchemaVersions.CURRENT,
                row.getString("project_id"),
                row.getString("id"),
                row.getString("decision_id"),
                FeedbackSignal.valueOf(row.getString("signal")),
                row.getString("correction"),
                row.getString("feedback_text"),
                row.getString("user_id"),
                row.getOffsetDateTime("occurred_at").toInstant());
    }
}
