package dev.loupe.feedback;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Panache repository of {@link FeedbackEntity}. */
@ApplicationScoped
public class FeedbackRepository implements PanacheRepositoryBase<FeedbackEntity, String> {
}
