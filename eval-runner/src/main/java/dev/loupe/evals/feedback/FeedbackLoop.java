package dev.loupe.evals.feedback;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.datasets.CaseContext;
import dev.loupe.evals.datasets.Datasets;
import dev.loupe.evals.features.EvaluationPlan;
import dev.loupe.evals.features.EvaluationPlans;
import dev.loupe.evals.features.PlanKey;
import dev.loupe.evals.results.Evaluation;
import dev.loupe.evals.results.JudgeJob;
import dev.loupe.evals.results.ResultStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What feedback sets in motion once its decision is known. For {@code incorrect}, {@code edited} and
 * {@code thumbs_down}: the feature's evaluators run again on the decision (trigger FEEDBACK, the correction as
 * the reference), plus {@code reference_match} of output against correction when there is one; the judge's
 * share is queued like any other. Every correction, whatever the signal, becomes a case of the regression
 * dataset named after the feature, one per input hash (the latest correction of an input wins). All of it is
 * written in the caller's transaction; a redelivered feedback writes nothing new and gets back the results
 * stored the first time, so they can be published again.
 */
@Singleton
public class FeedbackLoop {
    /** The signals that say the output was wrong. */
    public static final Set<FeedbackSignal> RE_EVALUATE =
            EnumSet.of(FeedbackSignal.INCORRECT, FeedbackSignal.EDITED, FeedbackSignal.THUMBS_DOWN);

    private static final String UPSERT_CASES = """
            insert into evals.regression_cases as c (project_id, dataset, input_hash, case_id, decision_id, feedback_id,
                                                     input, original_output, expected_output, context, corrected_at,
                                                     created_at, updated_at)
            select project_id, dataset, input_hash, case_id, decision_id, feedback_id, input, original_output,
                   expected_output, context::jsonb, corrected_at, $12, $12
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::text[], $10::text[], $11::timestamptz[])
                 as u(project_id, dataset, input_hash, case_id, decision_id, feedback_id, input, original_output,
                      expected_output, context, corrected_at)
            on conflict (project_id, dataset, input_hash) do update
            set decision_id = excluded.decision_id, feedback_id = excluded.feedback_id,
                input = excluded.input, original_output = excluded.original_output,
                expected_output = excluded.expected_output, context = excluded.context,
                corrected_at = excluded.corrected_at, updated_at = excluded.updated_at
            where excluded.corrected_at > c.corrected_at
            returning (xmax = 0) as created""";
    private static final String MARK_ACTED = """
            update evals.feedback_received f set acted_at = $3
            from unnest($1::text[], $2::text[]) as u(project_id, feedback_id)
            where f.project_id = u.project_id and f.feedback_id = u.feedback_id and f.acted_at is null""";

    /** A feedback and the decision it is about. */
    public record Linked(FeedbackRecord feedback, DecisionRecord decision) {}

    /** A regression case about to be written. */
    record Case(
            String projectId,
            String dataset,
            String inputHash,
            String caseId,
            FeedbackRecord feedback,
            DecisionRecord decision,
            String expected) {}

    /** The evaluation done off the event loop, ready to be written. */
    public record Prepared(List<Linked> linked, List<EvalResult> results, List<JudgeJob> judgeJobs, List<Case> cases) {
        public static final Prepared NONE = new Prepared(List.of(), List.of(), List.of(), List.of());
    }

    private final EvaluationPlans plans;
    private final Evaluation evaluation;
    private final ResultStore store;
    private final MeterRegistry registry;

    public FeedbackLoop(EvaluationPlans plans, Evaluation evaluation, ResultStore store, MeterRegistry registry) {
        this.plans = plans;
        this.evaluation = evaluation;
        this.store = store;
        this.registry = registry;
    }

    /** Loads the features' plans and evaluates on the worker pool; nothing is written yet. */
    public Uni<Prepared> prepare(List<Linked> linked, Instant now) {
        if (linked.isEmpty()) {
            return Uni.createFrom().item(Prepared.NONE);
        }
        List<PlanKey> keys = linked.stream()
                .map(l -> PlanKey.of(l.decision().projectId(), l.decision().feature()))
                .distinct()
                .toList();
        return plans.plans(keys)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(found -> prepare(linked, found, now));
    }

    /** Evaluates with plans already loaded (the decision consumer has its batch's plans at hand). */
    public Prepared prepare(List<Linked> linked, Map<PlanKey, EvaluationPlan> found, Instant now) {
        Map<String, EvalResult> scored = new LinkedHashMap<>();
        Map<String, JudgeJob> jobs = new LinkedHashMap<>();
        Map<String, Case> cases = new LinkedHashMap<>();
        // oldest first: the first feedback that asks for a re-evaluation is the one that runs it
        List<Linked> ordered = linked.stream()
                .sorted(Comparator.comparing((Linked l) -> l.feedback().occurredAt()))
                .toList();
        for (Linked l : ordered) {
            DecisionRecord decision = l.decision();
            String correction = correction(l.feedback());
            if (RE_EVALUATE.contains(l.feedback().signal())) {
                EvaluationPlan plan = found.get(PlanKey.of(decision.projectId(), decision.feature()));
                Evaluation.Outcome outcome =
                        evaluation.runAgainst(decision, plan, EvalTrigger.FEEDBACK, correction, now);
                outcome.results().forEach(r -> scored.putIfAbsent(r.evalId(), r));
                outcome.judgeJobs()
                        .forEach(j -> jobs.putIfAbsent(
                                j.projectId() + '\u0000' + j.decisionId() + '\u0000' + j.evaluatorVersion(), j));
            }
            if (correction != null) {
                String dataset = Datasets.name(decision.feature());
                String inputHash =
                        decision.inputHash() != null ? decision.inputHash() : "decision:" + decision.decisionId();
                Case c = new Case(
                        decision.projectId(),
                        dataset,
                        inputHash,
                        caseId(decision.projectId(), dataset, inputHash),
                        l.feedback(),
                        decision,
                        correction);
                // one row per input in one statement; the latest correction of the batch wins, as it does across
                // batches
                cases.merge(
                        c.projectId() + '\u0000' + dataset + '\u0000' + inputHash,
                        c,
                        (a, b) -> b.feedback().occurredAt().isAfter(a.feedback().occurredAt()) ? b : a);
            }
        }
        return new Prepared(
                linked, List.copyOf(scored.values()), List.copyOf(jobs.values()), List.copyOf(cases.values()));
    }

    /** Writes the prepared work in the caller's transaction; returns the results to publish. */
    public Uni<List<EvalResult>> write(SqlConnection connection, Prepared prepared, Instant now) {
        if (prepared.linked().isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return store.queue(connection, prepared.judgeJobs(), now, false)
                .chain(() -> upsertCases(connection, prepared.cases(), now))
                .chain(() -> connection
                        .preparedQuery(MARK_ACTED)
                        .execute(Tuple.of(
                                prepared.linked().stream()
                                        .map(l -> l.feedback().projectId())
                                        .toArray(String[]::new),
                                prepared.linked().stream()
                                        .map(l -> l.feedback().feedbackId())
                                        .toArray(String[]::new),
                                now.atOffset(ZoneOffset.UTC))))
                .chain(() -> store.store(connection, prepared.results(), null, false))
                .invoke(stored -> registry.counter("loupe.evals.feedback.reevaluations")
                        .increment(prepared.linked().stream()
                                .filter(l -> RE_EVALUATE.contains(l.feedback().signal()))
                                .count()));
    }

    private Uni<Void> upsertCases(SqlConnection connection, List<Case> cases, Instant now) {
        if (cases.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = cases.size();
        String[] projects = new String[n], datasets = new String[n], hashes = new String[n], ids = new String[n];
        String[] decisions = new String[n], feedback = new String[n], inputs = new String[n], outputs = new String[n];
        String[] expected = new String[n], contexts = new String[n];
        OffsetDateTime[] corrected = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Case c = cases.get(i);
            projects[i] = c.projectId();
            datasets[i] = c.dataset();
            hashes[i] = c.inputHash();
            ids[i] = c.caseId();
            decisions[i] = c.decision().decisionId();
            feedback[i] = c.feedback().feedbackId();
            inputs[i] = c.decision().input();
            outputs[i] = c.decision().output();
            expected[i] = c.expected();
            contexts[i] = EventJson.encode(CaseContext.of(c.decision()));
            corrected[i] = c.feedback().occurredAt().atOffset(ZoneOffset.UTC);
        }
        return connection
                .preparedQuery(UPSERT_CASES)
                .execute(Tuple.tuple(List.of(
                        projects,
                        datasets,
                        hashes,
                        ids,
                        decisions,
                        feedback,
                        inputs,
                        outputs,
                        expected,
                        contexts,
                        corrected,
                        now.atOffset(ZoneOffset.UTC))))
                .invoke(rows -> rows.forEach(row -> registry.counter(
                                "loupe.evals.regression.cases",
                                "change",
                                row.getBoolean("created") ? "created" : "updated")
                        .increment()))
                .replaceWithVoid();
    }

    /** The correction when it says something, else null. */
    static String correction(FeedbackRecord feedback) {
        String c = feedback.correction();
        return c == null || c.isBlank() ? null : c;
    }

    /** A case's id: stable for its project, dataset and input, so an export and a run name the same case. */
    public static String caseId(String projectId, String dataset, String inputHash) {
        return UUID.nameUUIDFromBytes(
                        String.join("\u0000", projectId, dataset, inputHash).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
