package dev.loupe.evals.intake;

import dev.loupe.common.events.FeedbackRecord;
import dev.loupe.common.json.EventJson;
import dev.loupe.common.json.UnreadableRecordException;
import dev.loupe.common.kafka.StoreRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.util.Locale;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Records feedback from {@code loupe.feedback.v1} in {@code evals.feedback_received}; re-evaluation builds on it. */
@ApplicationScoped
public class FeedbackConsumer {
    public static final String CHANNEL = "feedback-in";
    private static final Logger LOG = Logger.getLogger(FeedbackConsumer.class);
    private static final String INSERT = """
            insert into evals.feedback_received (project_id, feedback_id, decision_id, signal, occurred_at, record)
            values ($1, $2, $3, $4, $5, $6::text::jsonb)
            on conflict (project_id, feedback_id) do nothing""";

    private final Pool pool;
    private final MeterRegistry registry;

    public FeedbackConsumer(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        this.registry = registry;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        FeedbackRecord feedback = EventJson.decode(payload, FeedbackRecord.class);
        if (feedback.feedbackId() == null || feedback.decisionId() == null || feedback.signal() == null
                || feedback.occurredAt() == null) {
            throw new UnreadableRecordException("FeedbackRecord without feedbackId, decisionId, signal or occurredAt");
        }
        Uni<?> write = pool.preparedQuery(INSERT).execute(Tuple.of(feedback.projectId(), feedback.feedbackId(),
                feedback.decisionId(), feedback.signal().name(), feedback.occurredAt().atOffset(ZoneOffset.UTC), payload));
        return StoreRetry.untilStored(write, "feedback " + feedback.feedbackId())
                .invoke(() -> {
                    registry.counter("loupe.evals.feedback.received", "signal",
                            feedback.signal().name().toLowerCase(Locale.ROOT)).increment();
                    LOG.debugf("recorded feedback %s on decision %s", feedback.feedbackId(), feedback.decisionId());
                })
                .replaceWithVoid();
    }
}
