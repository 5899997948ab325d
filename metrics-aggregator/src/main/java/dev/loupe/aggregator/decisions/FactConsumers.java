package dev.loupe.aggregator.decisions;

import dev.loupe.common.events.AlertEvent;
import dev.loupe.common.events.DecisionRecord;
import dev.loupe.common.events.EvalResult;
import dev.loupe.common.events.FeedbackRecord;
import dev.loupe.common.events.LoupeEvent;
import dev.loupe.common.json.EventJson;
import dev.loupe.common.json.UnreadableRecordException;
import dev.loupe.common.kafka.StoreRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Stores decisions, evaluation results, feedback and alert state changes from their topics into {@code telemetry}, idempotently
 * on (id, time). Unreadable records (or ones missing their id or time) go to the topic's dead-letter topic.
 */
@ApplicationScoped
public class FactConsumers {
    public static final String DECISIONS = "decisions-in";
    public static final String EVALS = "evals-in";
    public static final String FEEDBACK = "feedback-in";
    public static final String ALERTS = "alerts-in";

    private static final String INSERT_DECISION = """
            insert into telemetry.decisions (project_id, decision_id, occurred_at, trace_id, feature, model, status, record)
            values ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb)
            on conflict (project_id, decision_id, occurred_at) do nothing""";
    private static final String INSERT_EVAL = """
            insert into telemetry.eval_results (project_id, eval_id, evaluated_at, decision_id, feature, evaluator,
                score, passed, record)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb)
            on conflict (project_id, eval_id, evaluated_at) do nothing""";
    private static final String INSERT_FEEDBACK = """
            insert into telemetry.feedback (project_id, feedback_id, occurred_at, decision_id, signal, record)
            values ($1, $2, $3, $4, $5, $6::text::jsonb)
            on conflict (project_id, feedback_id, occurred_at) do nothing""";

    private static final String INSERT_ALERT = """
            insert into telemetry.alert_events (project_id, fingerprint, state, changed_at, rule_id, severity, record)
            values ($1, $2, $3, $4, $5, $6, $7::text::jsonb)
            on conflict (project_id, fingerprint, state, changed_at) do nothing""";

    private final Pool pool;
    private final MeterRegistry registry;

    public FactConsumers(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        this.registry = registry;
    }

    @Incoming(DECISIONS)
    public Uni<Void> decision(String payload) {
        DecisionRecord d = read(payload, DecisionRecord.class, r -> r.decisionId() != null && r.occurredAt() != null);
        return store("decision", INSERT_DECISION, Tuple.from(new Object[]{d.projectId(), d.decisionId(),
                time(d.occurredAt()), d.traceId(), d.feature(), d.model(), d.status() == null ? null : d.status().name(),
                payload}));
    }

    @Incoming(EVALS)
    public Uni<Void> eval(String payload) {
        EvalResult e = read(payload, EvalResult.class, r -> r.evalId() != null && r.evaluatedAt() != null
                && r.decisionId() != null && r.evaluator() != null);
        return store("eval", INSERT_EVAL, Tuple.from(new Object[]{e.projectId(), e.evalId(), time(e.evaluatedAt()),
                e.decisionId(), e.feature(), e.evaluator(), e.score(), e.passed(), payload}));
    }

    @Incoming(FEEDBACK)
    public Uni<Void> feedback(String payload) {
        FeedbackRecord f = read(payload, FeedbackRecord.class, r -> r.feedbackId() != null && r.occurredAt() != null
                && r.decisionId() != null && r.signal() != null);
        return store("feedback", INSERT_FEEDBACK, Tuple.from(new Object[]{f.projectId(), f.feedbackId(),
                time(f.occurredAt()), f.decisionId(), f.signal().name(), payload}));
    }

    @Incoming(ALERTS)
    public Uni<Void> alert(String payload) {
        AlertEvent a = read(payload, AlertEvent.class, r -> r.fingerprint() != null && r.state() != null
                && changedAt(r) != null);
        return store("alert", INSERT_ALERT, Tuple.from(new Object[]{a.projectId(), a.fingerprint(), a.state().name(),
                time(changedAt(a)), a.ruleId(), a.severity(), payload}));
    }

    /** When this state change happened: the latest of the event's own times. */
    static Instant changedAt(AlertEvent a) {
        Instant latest = null;
        for (Instant t : new Instant[]{a.startsAt(), a.acknowledgedAt(), a.endsAt()}) {
            if (t != null && (latest == null || t.isAfter(latest))) {
                latest = t;
            }
        }
        return latest;
    }

    private static <T extends LoupeEvent> T read(String payload, Class<T> type, Function<T, Boolean> complete) {
        T record = EventJson.decode(payload, type);
        if (!complete.apply(record)) {
            throw new UnreadableRecordException(type.getSimpleName() + " without its id, time or required fields");
        }
        return record;
    }

    private Uni<Void> store(String kind, String sql, Tuple row) {
        return StoreRetry.untilStored(pool.preparedQuery(sql).execute(row), kind)
                .invoke(result -> registry.counter("loupe.aggregator.facts.stored", "kind", kind,
                        "outcome", result.rowCount() == 1 ? "new" : "duplicate").increment())
                .replaceWithVoid();
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
