package dev.loupe.aggregator.decisions;

import dev.loupe.common.kafka.BatchIntake;
import dev.loupe.common.kafka.ConsumerFaults;
import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.json.EventJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Stores decisions, evaluation results, feedback and alert state changes from their topics into
 * {@code telemetry}, a poll's batch per statement, idempotently on (id, time). Decision and evaluation
 * rollups (1m/1h/1d) and the window marks are updated by the same statement, from the rows its insert
 * returned, so a redelivered record counts once. Unreadable records (or ones missing their id or time) go
 * to the topic's dead-letter topic; anything else that fails holds the batch until it is lifted
 * ({@link ConsumerFaults}).
 */
@ApplicationScoped
public class FactConsumers {
    public static final String DECISIONS = "decisions-in";
    public static final String EVALS = "evals-in";
    public static final String FEEDBACK = "feedback-in";
    public static final String ALERTS = "alerts-in";

    /** The window-marks CTE of a fact topic; each topic has its own shard (span partitions use 0…). */
    private static String markWindows(int shard) {
        return """
                marks as (
                    insert into telemetry.window_marks (project_id, window_start, shard)
                    select distinct project_id, date_trunc('minute', t, 'UTC'), %d::smallint from ins order by 1, 2
                    on conflict (project_id, window_start, shard) do update set changes = telemetry.window_marks.changes + 1)
                """.formatted(shard);
    }

    private static final String INSERT_DECISIONS = """
            with ins as (
                insert into telemetry.decisions (project_id, decision_id, occurred_at, trace_id, feature, model, status, record)
                select project_id, decision_id, occurred_at, trace_id, feature, model, status, record::jsonb
                from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[]) as u(project_id, decision_id, occurred_at, trace_id, feature, model, status, record)
                on conflict (project_id, decision_id, occurred_at) do nothing
                returning project_id, occurred_at as t, coalesce(feature, '') as feature,
                          telemetry.model_key(model) as model, -- the model key (docs/architecture.md#model-key)
                          coalesce(status, '') as status, coalesce((record->>'costUsd')::numeric, 0) as cost_usd),
            """
            + rollup(
                    "decision",
                    "feature, model, status",
                    "decision_count, cost_usd",
                    "count(*), sum(cost_usd)",
                    "decision_count = r.decision_count + excluded.decision_count, "
                            + "cost_usd = r.cost_usd + excluded.cost_usd")
            + markWindows(-1) + "select count(*) from ins";

    private static final String INSERT_EVALS = """
            with ins as (
                insert into telemetry.eval_results (project_id, eval_id, evaluated_at, decision_id, feature, evaluator,
                    score, passed, trigger, record)
                select project_id, eval_id, evaluated_at, decision_id, feature, evaluator, score, passed, trigger,
                    record::jsonb
                from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
                            $7::float8[], $8::boolean[], $9::text[], $10::text[])
                    as u(project_id, eval_id, evaluated_at, decision_id, feature, evaluator, score, passed, trigger, record)
                on conflict (project_id, eval_id, evaluated_at) do nothing
                returning project_id, evaluated_at as t, coalesce(feature, '') as feature, evaluator, trigger, score, passed),
            """
            + rollup(
                    "eval",
                    "feature, evaluator, trigger",
                    "eval_count, passed_count, score_sum",
                    "count(*), count(*) filter (where passed), sum(score)",
                    "eval_count = r.eval_count + excluded.eval_count, "
                            + "passed_count = r.passed_count + excluded.passed_count, score_sum = r.score_sum + excluded.score_sum")
            + markWindows(-2) + "select count(*) from ins";

    private static final String INSERT_FEEDBACK = """
            with ins as (
                insert into telemetry.feedback (project_id, feedback_id, occurred_at, decision_id, signal, record)
                select project_id, feedback_id, occurred_at, decision_id, signal, record::jsonb
                from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[])
                    as u(project_id, feedback_id, occurred_at, decision_id, signal, record)
                on conflict (project_id, feedback_id, occurred_at) do nothing
                returning project_id, occurred_at as t),
            """ + markWindows(-3) + "select count(*) from ins";

    private static final String INSERT_ALERTS = """
            insert into telemetry.alert_events (project_id, fingerprint, state, changed_at, rule_id, severity, record)
            select project_id, fingerprint, state, changed_at, rule_id, severity, record::jsonb
            from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
                as u(project_id, fingerprint, state, changed_at, rule_id, severity, record)
            on conflict (project_id, fingerprint, state, changed_at) do nothing""";

    private final Pool pool;
    private final ConsumerFaults faults;
    private final BatchIntake intake;
    private final MeterRegistry registry;

    public FactConsumers(Pool pool, ConsumerFaults faults, BatchIntake intake, MeterRegistry registry) {
        this.pool = pool;
        this.faults = faults;
        this.intake = intake;
        this.registry = registry;
    }

    /** The three rollup upserts of one fact table, as CTEs reading the insert's returned rows. */
    private static String rollup(String prefix, String dimensions, String measures, String aggregates, String add) {
        StringBuilder sql = new StringBuilder();
        for (String[] g : new String[][] {{"1m", "minute"}, {"1h", "hour"}, {"1d", "day"}}) {
            sql.append("r")
                    .append(g[0])
                    .append(" as (insert into telemetry.")
                    .append(prefix)
                    .append("_rollup_")
                    .append(g[0])
                    .append(" as r (project_id, bucket, ")
                    .append(dimensions)
                    .append(", ")
                    .append(measures)
                    .append(") select project_id, date_trunc('")
                    .append(g[1])
                    .append("', t, 'UTC'), ")
                    .append(dimensions)
                    .append(", ")
                    .append(aggregates)
                    .append(" from ins group by 1, 2, ")
                    .append(dimensions)
                    .append(" order by 1, 2, ")
                    .append(dimensions)
                    .append(" on conflict (project_id, bucket, ")
                    .append(dimensions)
                    .append(") do update set ")
                    .append(add)
                    .append("),\n");
        }
        return sql.toString();
    }

    @Incoming(DECISIONS)
    public Uni<Void> decisions(ConsumerRecords<String, String> batch) {
        return faults.hold(
                        DECISIONS,
                        () -> intake.take(
                                batch,
                                DecisionRecord.class,
                                r -> r.decisionId() != null && r.occurredAt() != null,
                                (decisions, partitions) -> store(
                                        "decision",
                                        INSERT_DECISIONS,
                                        decisions.size(),
                                        columns(
                                                decisions,
                                                d -> new Object[] {
                                                    d.projectId(),
                                                    d.decisionId(),
                                                    time(d.occurredAt()),
                                                    d.traceId(),
                                                    d.feature(),
                                                    d.model(),
                                                    d.status() == null
                                                            ? null
                                                            : d.status().name(),
                                                    EventJson.encode(d)
                                                },
                                                String[]::new,
                                                String[]::new,
                                                OffsetDateTime[]::new,
                                                String[]::new,
                                                String[]::new,
                                                String[]::new,
                                                String[]::new,
                                                String[]::new))))
                .replaceWithVoid();
    }

    @Incoming(EVALS)
    public Uni<Void> evals(ConsumerRecords<String, String> batch) {
        return faults.hold(
                        EVALS,
                        () -> intake.take(
                                batch,
                                EvalResult.class,
                                r -> r.evalId() != null
                                        && r.evaluatedAt() != null
                                        && r.decisionId() != null
                                        && r.evaluator() != null,
                                (evals, partitions) -> store(
                                        "eval",
                                        INSERT_EVALS,
                                        evals.size(),
                                        columns(
                                                evals,
                                                e -> new Object[] {
                                                    e.projectId(),
                                                    e.evalId(),
                                                    time(e.evaluatedAt()),
                                                    e.decisionId(),
                                                    e.feature(),
                                                    e.evaluator(),
                                                    e.score(),
                                                    e.passed(),
                                                    e.trigger() == null
                                                            ? "SAMPLED"
                                                            : e.trigger().name(),
                                                    EventJson.encode(e)
                                                },
                                                String[]::new,
                                                String[]::new,
                                                OffsetDateTime[]::new,
                                                String[]::new,
                                                String[]::new,
                                                String[]::new,
                                                Double[]::new,
                                                Boolean[]::new,
                                                String[]::new,
                                                String[]::new))))
                .replaceWithVoid();
    }

    @Incoming(FEEDBACK)
    public Uni<Void> feedback(ConsumerRecords<String, String> batch) {
        return faults.hold(
                        FEEDBACK,
                        () -> intake.take(
                                batch,
                                FeedbackRecord.class,
                                r -> r.feedbackId() != null
                                        && r.occurredAt() != null
                                        && r.decisionId() != null
                                        && r.signal() != null,
                                (feedback, partitions) -> store(
                                        "feedback",
                                        INSERT_FEEDBACK,
                                        feedback.size(),
                                        columns(
                                                feedback,
                                                f -> new Object[] {
                                                    f.projectId(),
                                                    f.feedbackId(),
                                                    time(f.occurredAt()),
                                                    f.decisionId(),
                                                    f.signal().name(),
                                                    EventJson.encode(f)
                                                },
                                                String[]::new,
                                                String[]::new,
                                                OffsetDateTime[]::new,
                                                String[]::new,
                                                String[]::new,
                                                String[]::new))))
                .replaceWithVoid();
    }

    @Incoming(ALERTS)
    public Uni<Void> alerts(ConsumerRecords<String, String> batch) {
        return faults.hold(
                        ALERTS,
                        () -> intake.take(
                                batch,
                                AlertEvent.class,
                                r -> r.fingerprint() != null && r.state() != null && changedAt(r) != null,
                                (alerts, partitions) -> store(
                                        "alert",
                                        INSERT_ALERTS,
                                        alerts.size(),
                                        columns(
                                                alerts,
                                                a -> new Object[] {
                                                    a.projectId(),
                                                    a.fingerprint(),
                                                    a.state().name(),
                                                    time(changedAt(a)),
                                                    a.ruleId(),
                                                    a.severity(),
                                                    EventJson.encode(a)
                                                },
                                                String[]::new,
                                                String[]::new,
                                                String[]::new,
                                                OffsetDateTime[]::new,
                                                String[]::new,
                                                String[]::new,
                                                String[]::new))))
                .replaceWithVoid();
    }

    /** When this state change happened: the latest of the event's own times. */
    static Instant changedAt(AlertEvent a) {
        Instant latest = null;
        for (Instant t : new Instant[] {a.startsAt(), a.acknowledgedAt(), a.endsAt()}) {
            if (t != null && (latest == null || t.isAfter(latest))) {
                latest = t;
            }
        }
        return latest;
    }

    /** Turns records into one array per column, each array created by its factory. */
    @SafeVarargs
    private static <T> Tuple columns(
            List<T> records, Function<T, Object[]> row, java.util.function.IntFunction<Object[]>... arrays) {
        Object[][] columns = new Object[arrays.length][];
        for (int c = 0; c < arrays.length; c++) {
            columns[c] = arrays[c].apply(records.size());
        }
        for (int i = 0; i < records.size(); i++) {
            Object[] values = row.apply(records.get(i));
            for (int c = 0; c < values.length; c++) {
                columns[c][i] = values[c];
            }
        }
        Tuple tuple = Tuple.tuple();
        for (Object[] column : columns) {
            tuple.addValue(column);
        }
        return tuple;
    }

    private Uni<Integer> store(String kind, String sql, int offered, Tuple columns) {
        return pool.withTransaction(c -> c.preparedQuery(sql).execute(columns)).map(rows -> {
            int inserted =
                    sql.startsWith("with") ? rows.iterator().next().getLong(0).intValue() : rows.rowCount();
            registry.counter("loupe.aggregator.facts.stored", "kind", kind, "outcome", "new")
                    .increment(inserted);
            registry.counter("loupe.aggregator.facts.stored", "kind", kind, "outcome", "duplicate")
                    .increment(offered - inserted);
            return inserted;
        });
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
