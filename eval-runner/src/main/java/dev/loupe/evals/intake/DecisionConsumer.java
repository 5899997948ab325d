package dev.loupe.evals.intake;

import dev.loupe.common.events.DecisionRecord;
import dev.loupe.common.json.EventJson;
import dev.loupe.common.json.UnreadableRecordException;
import dev.loupe.common.kafka.StoreRetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Keeps every decision from {@code loupe.decisions.v1} in {@code evals.decisions}; unreadable ones go to the DLQ. */
@ApplicationScoped
public class DecisionConsumer {
    public static final String CHANNEL = "decisions-in";
    private static final Logger LOG = Logger.getLogger(DecisionConsumer.class);
    private static final String UPSERT = """
            insert into evals.decisions (project_id, decision_id, feature, occurred_at, record)
            values ($1, $2, $3, $4, $5::text::jsonb)
            on conflict (project_id, decision_id) do nothing""";

    private final Pool pool;
    private final Counter received;

    public DecisionConsumer(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        this.received = registry.counter("loupe.evals.decisions.received");
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        DecisionRecord decision = EventJson.decode(payload, DecisionRecord.class);
        if (decision.decisionId() == null || decision.occurredAt() == null) {
            throw new UnreadableRecordException("DecisionRecord without decisionId or occurredAt");
        }
        Uni<?> write = pool.preparedQuery(UPSERT).execute(Tuple.of(decision.projectId(), decision.decisionId(),
                decision.feature(), decision.occurredAt().atOffset(ZoneOffset.UTC), payload));
        return StoreRetry.untilStored(write, "decision " + decision.decisionId())
                .invoke(() -> {
                    received.increment();
                    LOG.debugf("kept decision %s of project %s", decision.decisionId(), decision.projectId());
                })
                .replaceWithVoid();
    }
}
