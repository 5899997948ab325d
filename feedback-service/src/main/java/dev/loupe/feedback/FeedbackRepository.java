package dev.loupe.feedback;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** Panache repository of {@link FeedbackEntity}; every query is scoped by project. */
@ApplicationScoped
public class FeedbackRepository implements PanacheRepositoryBase<FeedbackEntity, String> {

    public Uni<FeedbackEntity> findByKey(String projectId, String idempotencyKey) {
        return find("projectId = ?1 and idempotencyKey = ?2", projectId, idempotencyKey)
                .firstResult();
    }

    public Uni<List<FeedbackEntity>> findByKeys(String projectId, Collection<String> idempotencyKeys) {
        if (idempotencyKeys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("projectId = ?1 and idempotencyKey in ?2", projectId, idempotencyKeys);
    }

    /** Marks rows Kafka acknowledged, at the database's time: they leave the outbox. Needs a transaction. */
    public Uni<Integer> markPublished(Collection<String> ids) {
        return update("publishedAt = current_timestamp, leaseUntil = null where id in ?1", ids);
    }

    /**
     * Gives back rows still held by the claim that leased them until {@code leaseUntil} (a row claimed again since,
     * by another relay after this lease ran out, keeps its new lease). Needs a transaction.
     */
    public Uni<Integer> release(Collection<String> ids, Instant leaseUntil) {
        return update("leaseUntil = null where id in ?1 and publishedAt is null and leaseUntil = ?2", ids, leaseUntil);
    }

    /** Rows Kafka has not acknowledged yet. */
    public Uni<Long> countUnpublished() {
        return count("publishedAt is null");
    }

    /** The feedback on one decision, oldest first, at most {@code limit}. */
    public Uni<List<FeedbackEntity>> forDecision(String projectId, String decisionId, int limit) {
        return find("projectId = ?1 and decisionId = ?2 order by occurredAt, receivedAt, seq", projectId, decisionId)
                .range(0, limit - 1)
                .list();
    }
}
