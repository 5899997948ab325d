package dev.loupe.feedback;

import dev.loupe.common.crypto.IdentifierHasher;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.feedback.outbox.FeedbackRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * {@code POST /v1/feedback}: stores the feedback (Hibernate Reactive) and answers 202 once it is committed; the
 * row is the outbox entry that {@link FeedbackRelay} publishes to {@code loupe.feedback.v1}, so a Kafka outage
 * delays publication but never fails a submission. Callable with the browser-safe feedback key.
 */
@Path("/v1/feedback")
public class FeedbackResource {
    private static final int MAX_ID = 256;

    private final FeedbackRepository repository;
    private final FeedbackRelay relay;
    private final IdentifierHasher identifiers;
    private final FeedbackConfig config;
    private final Caller caller;
    private final MeterRegistry registry;

    public FeedbackResource(FeedbackRepository repository, FeedbackRelay relay, IdentifierHasher identifiers,
                            FeedbackConfig config, Caller caller, MeterRegistry registry) {
        this.repository = repository;
        this.relay = relay;
        this.identifiers = identifiers;
        this.config = config;
        this.caller = caller;
        this.registry = registry;
    }

    @POST
    @RolesAllowed(Scope.FEEDBACK_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> submit(FeedbackInput input) {
        validate(input);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
        FeedbackEntity entity = new FeedbackEntity();
        entity.id = UUID.randomUUID().toString();
        entity.projectId = caller.projectId();
        entity.decisionId = input.decisionId();
        entity.signal = input.signal();
        entity.correction = input.correction();
        entity.feedbackText = input.feedbackText();
        entity.userId = identifiers.hash(entity.projectId, input.userId());
        entity.occurredAt = input.occurredAt() == null ? now : input.occurredAt();
        entity.receivedAt = now;
        return Panache.withTransaction(() -> repository.persist(entity))
                .map(ignored -> {
                    registry.counter(FeedbackMetrics.RECEIVED, "signal", entity.signal.name().toLowerCase()).increment();
                    relay.wake();
                    return Response.accepted(new FeedbackAccepted(entity.id, entity.decisionId)).build();
                });
    }

    private void validate(FeedbackInput input) {
        if (input == null) {
            throw ProblemException.badRequest("body", "expected a JSON object with decisionId and signal");
        }
        if (input.decisionId() == null || input.decisionId().isBlank()) {
            throw ProblemException.badRequest("decisionId", "is required");
        }
        if (input.decisionId().length() > MAX_ID) {
            throw ProblemException.badRequest("decisionId", "is longer than " + MAX_ID + " characters");
        }
        if (input.signal() == null) {
            throw ProblemException.badRequest("signal",
                    "is required: one of correct, incorrect, edited, dismissed, thumbs_up, thumbs_down");
        }
        if (input.correction() != null && input.correction().length() > config.maxTextLength()) {
            throw ProblemException.badRequest("correction", "is longer than " + config.maxTextLength() + " characters");
        }
        if (input.feedbackText() != null && input.feedbackText().length() > config.maxTextLength()) {
            throw ProblemException.badRequest("feedbackText", "is longer than " + config.maxTextLength() + " characters");
        }
        if (input.userId() != null && input.userId().length() > MAX_ID) {
            throw ProblemException.badRequest("userId", "is longer than " + MAX_ID + " characters");
        }
        if (input.occurredAt() != null && input.occurredAt().isAfter(Instant.now().plus(Duration.ofMinutes(5)))) {
            throw ProblemException.badRequest("occurredAt", "is in the future");
        }
    }
}
