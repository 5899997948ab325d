package dev.loupe.evals.intake;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.features.EvaluationPlan;
import dev.loupe.evals.features.EvaluationPlans;
import dev.loupe.evals.features.PlanKey;
import dev.loupe.evals.feedback.FeedbackLinks;
import dev.loupe.evals.feedback.FeedbackLoop;
import dev.loupe.evals.results.Evaluation;
import dev.loupe.evals.results.JudgeJob;
import dev.loupe.evals.results.ResultStore;
import dev.loupe.evals.results.Skip;
import dev.loupe.evals.sampling.Sampler;
import dev.loupe.evals.sampling.SamplingVerdict;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One poll's decisions, end to end: keep every decision, choose the sampled ones, run the deterministic
 * evaluators on a worker pool (in parallel, off the event loop), then in one transaction store the decisions
 * with their sampling verdict, apply the per-minute cap, store the results and queue the judge's work. Returns
 * the stored results to publish; a redelivered decision keeps its first verdict and its first results.
 * Feedback parked for these decisions is acted on in the same transaction.
 */
@Singleton
public class DecisionPipeline {
    private static final String KEEP = """
            insert into evals.decisions (project_id, decision_id, feature, occurred_at, record, sampling)
            select project_id, decision_id, feature, occurred_at, record::jsonb, sampling
            from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[])
                 as u(project_id, decision_id, feature, occurred_at, record, sampling)
            on conflict (project_id, decision_id) do update set sampling = evals.decisions.sampling
            returning project_id, decision_id, sampling, (xmax = 0) as inserted""";
    private static final String TAKE_SLOTS = """
            insert into evals.sample_minutes as s (project_id, feature, minute, requested)
            select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[])
            on conflict (project_id, feature, minute) do update set requested = s.requested + excluded.requested,
                touched_at = now()
            returning project_id, feature, minute, requested""";
    private static final String MARK_CAPPED = """
            update evals.decisions d set sampling = 'capped'
            from unnest($1::text[], $2::text[]) as u(project_id, decision_id)
            where d.project_id = u.project_id and d.decision_id = u.decision_id""";

    /**
     * A decision with its plan, its verdict before the cap, its evaluation when it is wanted, and its JSON
     * (encoded on the worker pool, in parallel, not on the event loop that runs the transaction). Results are
     * stored in columns and encoded once, when they are published.
     */
    private record Prepared(
            DecisionRecord decision,
            String json,
            EvaluationPlan plan,
            SamplingVerdict wanted,
            double position,
            Evaluation.Outcome outcome) {}

    private record Slot(String projectId, String feature, OffsetDateTime minute) {}

    private final Pool pool;
    private final EvaluationPlans plans;
    private final Evaluation evaluation;
    private final ResultStore store;
    private final FeedbackLinks links;
    private final FeedbackLoop feedbackLoop;
    private final Clock clock;
    private final MeterRegistry registry;

    public DecisionPipeline(
            Pool pool,
            EvaluationPlans plans,
            Evaluation evaluation,
            ResultStore store,
            FeedbackLinks links,
            FeedbackLoop feedbackLoop,
            Clock clock,
            MeterRegistry registry) {
        this.pool = pool;
        this.links = links;
        this.feedbackLoop = feedbackLoop;
        this.plans = plans;
        this.evaluation = evaluation;
        this.store = store;
        this.clock = clock;
        this.registry = registry;
    }

    public Uni<List<EvalResult>> process(List<DecisionRecord> batch) {
        List<DecisionRecord> decisions = distinct(batch);
        List<PlanKey> keys = decisions.stream()
                .map(d -> PlanKey.of(d.projectId(), d.feature()))
                .distinct()
                .toList();
        return plans.plans(keys)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(found -> prepare(decisions, found))
                .chain(prepared -> pool.withTransaction(connection -> store(connection, prepared)));
    }

    /** Samples and evaluates in parallel; evaluators are pure, so the order of work does not matter. */
    private List<Prepared> prepare(List<DecisionRecord> decisions, Map<PlanKey, EvaluationPlan> found) {
        Instant now = clock.instant();
        return decisions.parallelStream()
                .map(d -> {
                    EvaluationPlan plan = found.get(PlanKey.of(d.projectId(), d.feature()));
                    SamplingVerdict wanted = Sampler.wanted(d, plan);
                    Evaluation.Outcome outcome =
                            wanted.evaluated() ? evaluation.run(d, plan, EvalTrigger.SAMPLED, null, now) : null;
                    return new Prepared(
                            d,
                            EventJson.encode(d),
                            plan,
                            wanted,
                            Sampler.position(d.projectId(), d.decisionId()),
                            outcome);
                })
                .toList();
    }

    private Uni<List<EvalResult>> store(SqlConnection connection, List<Prepared> prepared) {
        int n = prepared.size();
        String[] projects = new String[n], ids = new String[n], features = new String[n], records = new String[n];
        String[] verdicts = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            DecisionRecord d = prepared.get(i).decision();
            projects[i] = d.projectId();
            ids[i] = d.decisionId();
            features[i] = d.feature();
            times[i] = d.occurredAt().atOffset(ZoneOffset.UTC);
            records[i] = prepared.get(i).json();
            verdicts[i] = prepared.get(i).wanted().stored();
        }
        return connection
                .preparedQuery(KEEP)
                .execute(Tuple.of(projects, ids, features, times, records, verdicts))
                .chain(rows -> {
                    Map<String, SamplingVerdict> stored = new HashMap<>();
                    Map<String, Boolean> inserted = new HashMap<>();
                    for (Row row : rows) {
                        String id = key(row.getString("project_id"), row.getString("decision_id"));
                        stored.put(id, SamplingVerdict.fromStored(row.getString("sampling")));
                        inserted.put(id, row.getBoolean("inserted"));
                    }
                    List<Prepared> fresh = prepared.stream()
                            .filter(p -> inserted.get(key(p.decision())) && p.wanted() == SamplingVerdict.RATE)
                            .toList();
                    return cap(connection, fresh).map(capped -> {
                        capped.forEach(id -> stored.put(id, SamplingVerdict.CAPPED));
                        count(prepared, stored, inserted);
                        return stored;
                    });
                })
                .chain(verdicts2 -> {
                    List<EvalResult> results = new ArrayList<>();
                    List<JudgeJob> jobs = new ArrayList<>();
                    List<Skip> skipped = new ArrayList<>();
                    Instant now = clock.instant();
                    for (Prepared p : prepared) {
                        if (!verdicts2.get(key(p.decision())).evaluated()) {
                            continue;
                        }
                        // a redelivered decision sampled under settings that have changed since is evaluated as stored
                        Evaluation.Outcome outcome = p.outcome() != null
                                ? p.outcome()
                                : evaluation.run(p.decision(), p.plan(), EvalTrigger.SAMPLED, null, now);
                        results.addAll(outcome.results());
                        jobs.addAll(outcome.judgeJobs());
                        skipped.addAll(outcome.skipped());
                    }
                    return store.queue(connection, jobs, now, false)
                            .chain(() -> store.skip(connection, skipped))
                            .chain(() -> store.store(connection, results, null, false))
                            .chain(sampled -> actOnFeedback(connection, prepared, now)
                                    .map(feedback -> {
                                        if (feedback.isEmpty()) {
                                            return sampled;
                                        }
                                        List<EvalResult> all = new ArrayList<>(sampled);
                                        all.addAll(feedback);
                                        return all;
                                    }));
                });
    }

    /**
     * Feedback that came before its decision was parked; now that the decision is kept, it is acted on in the
     * same transaction. A redelivered decision acts on its feedback again, which stores nothing new and
     * republishes what was stored.
     */
    private Uni<List<EvalResult>> actOnFeedback(SqlConnection connection, List<Prepared> prepared, Instant now) {
        return links.forDecisions(
                        connection, prepared.stream().map(Prepared::decision).toList())
                .chain(linked -> {
                    if (linked.isEmpty()) {
                        return Uni.createFrom().item(List.<EvalResult>of());
                    }
                    Map<PlanKey, EvaluationPlan> found = new HashMap<>();
                    prepared.forEach(p -> found.put(
                            PlanKey.of(p.decision().projectId(), p.decision().feature()), p.plan()));
                    return feedbackLoop.write(connection, feedbackLoop.prepare(linked, found, now), now);
                });
    }

    /** Applies the per-minute cap to newly sampled decisions; returns the keys of those over it. */
    private Uni<List<String>> cap(SqlConnection connection, List<Prepared> fresh) {
        if (fresh.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<Slot, List<Prepared>> bySlot = new LinkedHashMap<>();
        for (Prepared p : fresh) {
            DecisionRecord d = p.decision();
            Slot slot = new Slot(
                    d.projectId(),
                    d.feature() == null ? "" : d.feature(),
                    d.occurredAt().truncatedTo(ChronoUnit.MINUTES).atOffset(ZoneOffset.UTC));
            bySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(p);
        }
        // concurrent consumers lock the same counter rows: always in key order, so they queue instead of deadlocking
        List<Slot> slots = bySlot.keySet().stream()
                .sorted(Comparator.comparing(Slot::projectId)
                        .thenComparing(Slot::feature)
                        .thenComparing(Slot::minute))
                .toList();
        Tuple args = Tuple.of(
                slots.stream().map(Slot::projectId).toArray(String[]::new),
                slots.stream().map(Slot::feature).toArray(String[]::new),
                slots.stream().map(Slot::minute).toArray(OffsetDateTime[]::new),
                slots.stream().map(s -> bySlot.get(s).size()).toArray(Integer[]::new));
        return connection
                .preparedQuery(TAKE_SLOTS)
                .execute(args)
                .map(rows -> {
                    List<String> over = new ArrayList<>();
                    for (Row row : rows) {
                        Slot slot = new Slot(
                                row.getString("project_id"),
                                row.getString("feature"),
                                row.getOffsetDateTime("minute").withOffsetSameInstant(ZoneOffset.UTC));
                        List<Prepared> asked = bySlot.get(slot);
                        int before = row.getInteger("requested") - asked.size();
                        int granted = Math.max(
                                0, Math.min(asked.size(), asked.get(0).plan().maxPerMinute() - before));
                        if (granted < asked.size()) {
                            // the lowest hash positions win, so which ones are kept does not depend on arrival order
                            asked.stream()
                                    .sorted(Comparator.comparingDouble(Prepared::position))
                                    .skip(granted)
                                    .forEach(p -> over.add(key(p.decision())));
                        }
                    }
                    return over;
                })
                .chain(over -> over.isEmpty()
                        ? Uni.createFrom().item(over)
                        : connection
                                .preparedQuery(MARK_CAPPED)
                                .execute(Tuple.of(
                                        over.stream()
                                                .map(k -> k.substring(0, k.indexOf('\u0000')))
                                                .toArray(String[]::new),
                                        over.stream()
                                                .map(k -> k.substring(k.indexOf('\u0000') + 1))
                                                .toArray(String[]::new)))
                                .replaceWith(over));
    }

    private void count(List<Prepared> prepared, Map<String, SamplingVerdict> stored, Map<String, Boolean> inserted) {
        Map<SamplingVerdict, Integer> counts = new EnumMap<>(SamplingVerdict.class);
        for (Prepared p : prepared) {
            if (inserted.get(key(p.decision()))) {
                counts.merge(stored.get(key(p.decision())), 1, Integer::sum);
            }
        }
        counts.forEach(
                (verdict, count) -> registry.counter("loupe.evals.decisions.sampled", "verdict", verdict.stored())
                        .increment(count));
        registry.counter("loupe.evals.decisions.received").increment(prepared.size());
    }

    /** A poll may carry the same decision twice (a producer retry); one upsert may not touch a row twice. */
    private static List<DecisionRecord> distinct(List<DecisionRecord> batch) {
        Map<String, DecisionRecord> seen = new LinkedHashMap<>();
        for (DecisionRecord d : batch) {
            seen.putIfAbsent(key(d), d);
        }
        return seen.size() == batch.size() ? batch : new ArrayList<>(seen.values());
    }

    private static String key(DecisionRecord d) {
        return key(d.projectId(), d.decisionId());
    }

    private static String key(String projectId, String decisionId) {
        return projectId + '\u0000' + decisionId;
    }
}
