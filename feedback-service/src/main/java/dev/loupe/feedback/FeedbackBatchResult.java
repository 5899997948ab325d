package dev.loupe.feedback;

import dev.loupe.common.http.ItemRejection;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The answer to {@code POST /v1/feedback/batch}: {@code accepted} counts the items in {@code items} (stored now,
 * or replayed for an idempotency key already used with the same content); {@code rejected} names each refused
 * item's field (its JSON path, e.g. {@code feedback[3].signal}).
 */
@RegisterForReflection
public record FeedbackBatchResult(int accepted, List<ItemRejection> rejected, List<Item> items) {

    /** One accepted item. */
    @RegisterForReflection
    public record Item(int index, String feedbackId, String decisionId, boolean replayed) {}
}
