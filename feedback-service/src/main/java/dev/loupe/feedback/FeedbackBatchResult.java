package dev.loupe.feedback;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The answer to {@code POST /v1/feedback/batch}: {@code accepted} counts the items in {@code items} (stored now,
 * or replayed for an idempotency key already used with the same content); {@code rejected} names each refused
 * item's field.
 */
@RegisterForReflection
public record FeedbackBatchResult(int accepted, List<Rejection> rejected, List<Item> items) {

    /** Why one item was refused; {@code field} is its JSON path, e.g. {@code feedback[3].signal}. */
    @RegisterForReflection
    public record Rejection(int index, String field, String reason) {
    }

    /** One accepted item. */
    @RegisterForReflection
    public record Item(int index, String feedbackId, String decisionId, boolean replayed) {
    }
}
