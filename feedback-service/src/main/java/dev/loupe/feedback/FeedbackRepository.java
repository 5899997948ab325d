package dev.loupe.feedback;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;

/** Panache repository of {@link FeedbackEntity}; every query is scoped by project. */
@ApplicationScoped
public class FeedbackRepository implements PanacheRepositoryBase<FeedbackEntity, String> {

    public Uni<FeedbackEntity> findByKey(String projectId, String idempotencyKey) {
        return find("projectId = ?1 and idempotencyKey = ?2", projectId, idempotencyKey).firstResult();
    }

    public Uni<List<FeedbackEntity>> findByKeys(String projectId, Collection<String> idempotencyKeys) {
        if (idempotencyKeys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("projectId = ?1 and idempotencyKey in ?2", projectId, idempotencyKeys);
    }

    /** The feedback on one decision, oldest first, at most {@code limit}. */
    public Uni<List<FeedbackEntity>> forDecision(String projectId, String decisionId, int limit) {
        return find("projectId = ?1 and decisionId = ?2 order by occurredAt, receivedAt, seq", projectId, decisionId)
                .range(0, limit - 1).list();
    }
}
