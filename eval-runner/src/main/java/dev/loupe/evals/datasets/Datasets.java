package dev.loupe.evals.datasets;

import dev.loupe.common.http.Problem;
import dev.loupe.common.http.ProblemException;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.datasets.DatasetModels.CandidateOutput;
import dev.loupe.evals.datasets.DatasetModels.CaseEvaluation;
import dev.loupe.evals.datasets.DatasetModels.CasePage;
import dev.loupe.evals.datasets.DatasetModels.CaseResult;
import dev.loupe.evals.datasets.DatasetModels.Comparison;
import dev.loupe.evals.datasets.DatasetModels.DatasetSummary;
import dev.loupe.evals.datasets.DatasetModels.RegressionCase;
import dev.loupe.evals.datasets.DatasetModels.Run;
import dev.loupe.evals.datasets.DatasetModels.RunRequest;
import dev.loupe.evals.datasets.DatasetModels.RunSummary;
import dev.loupe.evals.datasets.DatasetModels.Skipped;
import dev.loupe.evals.datasets.DatasetModels.StoredResults;
import dev.loupe.evals.features.EvaluationPlan;
import dev.loupe.evals.features.EvaluationPlans;
import dev.loupe.evals.features.PlanKey;
import dev.loupe.evals.features.PlannedEvaluator;
import dev.loupe.evals.judge.LlmJudgeEvaluator;
import dev.loupe.evals.results.Evaluation;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Regression datasets: the cases corrections created ({@code evals.regression_cases}), one dataset per
 * feature, and runs that score candidate outputs for them ({@code evals.dataset_runs}) with the feature's
 * deterministic evaluators and {@code reference_match} against each case's expected output. Every query is
 * scoped to the caller's project.
 */
@Singleton
public class Datasets {
    /** The dataset of decisions without a feature. */
    public static final String UNASSIGNED = "unassigned";

    public static final int MAX_NAME = 256;
    static final int MAX_OUTPUTS = 10_000;
    static final int MAX_OUTPUT = 100_000;
    static final int MAX_LABEL = 200;
    private static final String CASE_COLUMNS = """
            case_id, dataset, input_hash, input, decision_id, feedback_id, original_output, expected_output,
            context::text as context, corrected_at, created_at, updated_at""";
    private static final String LIST = """
            select c.dataset, c.cases, c.updated_at, r.run_id, r.label, r.model, r.prompt_version, r.created_at,
                   r.cases as run_cases, r.scored, r.passed, r.pass_rate
            from (select dataset, count(*) as cases, max(updated_at) as updated_at from evals.regression_cases
                  where project_id = $1 group by dataset) c
            left join lateral (select * from evals.dataset_runs r where r.project_id = $1 and r.dataset = c.dataset
                               order by r.created_at desc limit 1) r on true
            order by c.dataset""";
    private static final String RUN_COLUMNS = """
            run_id, dataset, label, model, prompt_version, created_at, cases as run_cases, scored, passed, pass_rate""";
    private static final String INSERT_RUN = """
            insert into evals.dataset_runs (project_id, run_id, dataset, label, model, prompt_version, created_at,
                                            created_by, cases, scored, passed, pass_rate, results)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text::jsonb)""";

    private final Pool pool;
    private final EvaluationPlans plans;
    private final Evaluation evaluation;
    private final Clock clock;
    private final MeterRegistry registry;

    public Datasets(Pool pool, EvaluationPlans plans, Evaluation evaluation, Clock clock, MeterRegistry registry) {
        this.pool = pool;
        this.plans = plans;
        this.evaluation = evaluation;
        this.clock = clock;
        this.registry = registry;
    }

    /** The dataset a decision's corrections go to: its feature's name. */
    public static String name(String feature) {
        return feature == null || feature.isBlank() ? UNASSIGNED : feature;
    }

    public Uni<List<DatasetSummary>> list(String projectId) {
        return pool.preparedQuery(LIST).execute(Tuple.of(projectId)).map(rows -> {
            List<DatasetSummary> out = new ArrayList<>();
            for (Row row : rows) {
                RunSummary last = row.getString("run_id") == null ? null : summary(row);
                out.add(new DatasetSummary(
                        row.getString("dataset"), row.getLong("cases"), instant(row, "updated_at"), last));
            }
            return out;
        });
    }

    /** A page of cases in id order, after {@code after} when given. */
    public Uni<CasePage> cases(String projectId, String dataset, String after, int limit) {
        return exists(projectId, dataset)
                .chain(() -> pool.preparedQuery("select " + CASE_COLUMNS
                                + " from evals.regression_cases where project_id = $1 and dataset = $2 and case_id > $3"
                                + " order by case_id limit $4")
                        .execute(Tuple.of(projectId, dataset, after == null ? "" : after, limit + 1)))
                .map(rows -> {
                    List<RegressionCase> cases = new ArrayList<>();
                    rows.forEach(row -> cases.add(regressionCase(row)));
                    String next = null;
                    if (cases.size() > limit) {
                        cases.remove(limit);
                        next = cases.get(limit - 1).caseId();
                    }
                    return new CasePage(dataset, cases, next);
                });
    }

    /** Every case of a dataset, oldest first (the export). */
    public Uni<List<RegressionCase>> all(String projectId, String dataset) {
        return exists(projectId, dataset)
                .chain(() -> pool.preparedQuery(
                                "select " + CASE_COLUMNS
                                        + " from evals.regression_cases where project_id = $1 and dataset = $2 order by created_at, case_id")
                        .execute(Tuple.of(projectId, dataset)))
                .map(rows -> {
                    List<RegressionCase> cases = new ArrayList<>();
                    rows.forEach(row -> cases.add(regressionCase(row)));
                    return cases;
                });
    }

    public Uni<List<RunSummary>> runs(String projectId, String dataset, int limit) {
        return exists(projectId, dataset)
                .chain(() -> pool.preparedQuery(
                                "select " + RUN_COLUMNS
                                        + " from evals.dataset_runs where project_id = $1 and dataset = $2 order by created_at desc limit $3")
                        .execute(Tuple.of(projectId, dataset, limit)))
                .map(rows -> {
                    List<RunSummary> runs = new ArrayList<>();
                    rows.forEach(row -> runs.add(summary(row)));
                    return runs;
                });
    }

    public Uni<Run> run(String projectId, String dataset, String runId) {
        return pool.preparedQuery("select " + RUN_COLUMNS + ", results::text as results from evals.dataset_runs"
                        + " where project_id = $1 and dataset = $2 and run_id = $3")
                .execute(Tuple.of(projectId, dataset, runId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ProblemException.notFound("no run " + runId + " of dataset " + dataset);
                    }
                    Row row = rows.iterator().next();
                    return full(summary(row), read(row.getString("results"), StoredResults.class));
                });
    }

    /**
     * Scores candidate outputs against the dataset's cases and stores the run. Cases without a candidate are
     * listed as missing and left out of the pass rate; LLM-judge evaluators are listed as skipped (a run answers
     * synchronously and must not spend the judge's budget).
     */
    public Uni<Run> score(String projectId, String dataset, RunRequest request, String createdBy) {
        validate(request);
        return all(projectId, dataset)
                .chain(cases -> plans.plan(PlanKey.of(projectId, dataset.equals(UNASSIGNED) ? null : dataset))
                        .emitOn(Infrastructure.getDefaultWorkerPool())
                        .map(plan -> evaluate(projectId, dataset, request, cases, plan)))
                .chain(run -> previous(projectId, dataset).map(prev -> withComparison(run, prev)))
                .call(run -> pool.preparedQuery(INSERT_RUN)
                        .execute(Tuple.tuple(Arrays.asList(
                                projectId,
                                run.runId(),
                                dataset,
                                run.label(),
                                run.model(),
                                run.promptVersion(),
                                run.createdAt().atOffset(ZoneOffset.UTC),
                                createdBy,
                                run.cases(),
                                run.scored(),
                                run.passed(),
                                run.passRate(),
                                EventJson.encode(new StoredResults(
                                        run.results(), run.missing(), run.skipped(), run.comparison()))))))
                .invoke(run -> {
                    registry.counter("loupe.evals.dataset.runs").increment();
                    registry.counter("loupe.evals.dataset.cases.scored").increment(run.scored());
                });
    }

    private Run evaluate(
            String projectId, String dataset, RunRequest request, List<RegressionCase> cases, EvaluationPlan plan) {
        Map<String, RegressionCase> byId = new LinkedHashMap<>();
        cases.forEach(c -> byId.put(c.caseId(), c));
        List<Problem.FieldError> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < request.outputs().size(); i++) {
            String caseId = request.outputs().get(i).caseId();
            if (!byId.containsKey(caseId)) {
                errors.add(new Problem.FieldError(
                        "outputs[" + i + "].caseId", "no case " + caseId + " in dataset " + dataset));
            } else if (!seen.add(caseId)) {
                errors.add(new Problem.FieldError("outputs[" + i + "].caseId", "case " + caseId + " is given twice"));
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        Instant now = clock.instant();
        List<Skipped> skipped = plan.evaluators().stream()
                .filter(e -> !e.evaluator().deterministic())
                .map(PlannedEvaluator::name)
                .distinct()
                .map(name -> new Skipped(
                        name,
                        LlmJudgeEvaluator.NAME.equals(name)
                                ? "the LLM judge does not run on dataset runs (they answer at once and must not spend the judge's budget)"
                                : "not deterministic"))
                .toList();
        List<CaseResult> results = request.outputs().parallelStream()
                .map(candidate -> {
                    RegressionCase c = byId.get(candidate.caseId());
                    DecisionRecord decision = candidateDecision(projectId, c, candidate, request);
                    List<CaseEvaluation> evaluations = new ArrayList<>();
                    for (EvalResult r : evaluation
                            .runAgainst(decision, plan, EvalTrigger.REGRESSION, c.expectedOutput(), now)
                            .results()) {
                        evaluations.add(new CaseEvaluation(
                                r.evaluator(), r.evaluatorVersion(), r.score(), r.passed(), r.reason()));
                    }
                    boolean passed =
                            !evaluations.isEmpty() && evaluations.stream().allMatch(CaseEvaluation::passed);
                    return new CaseResult(c.caseId(), passed, evaluations);
                })
                .toList();
        List<String> missing =
                byId.keySet().stream().filter(id -> !seen.contains(id)).toList();
        int passed = (int) results.stream().filter(CaseResult::passed).count();
        Double passRate = results.isEmpty() ? null : (double) passed / results.size();
        return new Run(
                UUID.randomUUID().toString(),
                dataset,
                request.label(),
                request.model(),
                request.promptVersion(),
                now,
                cases.size(),
                results.size(),
                passed,
                passRate,
                missing,
                skipped,
                null,
                results);
    }

    /** The case's decision as it was, with the candidate's output (and model or prompt version) in its place. */
    static DecisionRecord candidateDecision(
            String projectId, RegressionCase c, CandidateOutput candidate, RunRequest request) {
        CaseContext ctx = c.context();
        return new DecisionRecord(
                SchemaVersions.CURRENT,
                projectId,
                c.decisionId(),
                ctx.traceId(),
                ctx.feature(),
                c.input(),
                c.inputHash(),
                ctx.retrievalResults(),
                ctx.promptTemplate(),
                request.promptVersion() != null ? request.promptVersion() : ctx.promptVersion(),
                request.model() != null ? request.model() : ctx.model(),
                candidate.output(),
                null,
                candidate.parsedOutput(),
                null,
                null,
                Outcome.SUCCESS,
                null,
                null,
                null,
                ctx.occurredAt(),
                ctx.metadata());
    }

    private Uni<StoredResults> previous(String projectId, String dataset) {
        return pool.preparedQuery("select run_id, pass_rate, results::text as results from evals.dataset_runs"
                        + " where project_id = $1 and dataset = $2 order by created_at desc limit 1")
                .execute(Tuple.of(projectId, dataset))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    StoredResults stored = read(row.getString("results"), StoredResults.class);
                    // the previous run's id and pass rate travel in a comparison of its own
                    return new StoredResults(
                            stored.results(),
                            stored.missing(),
                            stored.skipped(),
                            new Comparison(row.getString("run_id"), row.getDouble("pass_rate"), null, null));
                });
    }

    private static Run withComparison(Run run, StoredResults previous) {
        if (previous == null) {
            return run;
        }
        Map<String, Boolean> before = new HashMap<>();
        previous.results().forEach(r -> before.put(r.caseId(), r.passed()));
        List<String> failing = new ArrayList<>();
        List<String> passing = new ArrayList<>();
        for (CaseResult r : run.results()) {
            Boolean was = before.get(r.caseId());
            if (Boolean.TRUE.equals(was) && !r.passed()) {
                failing.add(r.caseId());
            } else if (Boolean.FALSE.equals(was) && r.passed()) {
                passing.add(r.caseId());
            }
        }
        Comparison comparison = new Comparison(
                previous.comparison().previousRunId(), previous.comparison().previousPassRate(), failing, passing);
        return new Run(
                run.runId(),
                run.dataset(),
                run.label(),
                run.model(),
                run.promptVersion(),
                run.createdAt(),
                run.cases(),
                run.scored(),
                run.passed(),
                run.passRate(),
                run.missing(),
                run.skipped(),
                comparison,
                run.results());
    }

    private static void validate(RunRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("body", "expected a JSON object with outputs");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        if (request.outputs() == null || request.outputs().isEmpty()) {
            errors.add(new Problem.FieldError("outputs", "is required: [{\"caseId\", \"output\"}, …]"));
        } else if (request.outputs().size() > MAX_OUTPUTS) {
            errors.add(new Problem.FieldError("outputs", "at most " + MAX_OUTPUTS + " outputs per run"));
        } else {
            for (int i = 0; i < request.outputs().size(); i++) {
                CandidateOutput o = request.outputs().get(i);
                if (o == null) {
                    errors.add(new Problem.FieldError("outputs[" + i + "]", "must be an object"));
                    continue;
                }
                if (o.caseId() == null || o.caseId().isBlank()) {
                    errors.add(new Problem.FieldError("outputs[" + i + "].caseId", "is required"));
                }
                boolean noParsed = o.parsedOutput() == null || o.parsedOutput().isNull();
                if (o.output() == null && noParsed) {
                    errors.add(new Problem.FieldError("outputs[" + i + "].output", "is required (or parsedOutput)"));
                } else if (o.output() != null
                        && (o.output().length() > MAX_OUTPUT || o.output().indexOf('\u0000') >= 0)) {
                    errors.add(new Problem.FieldError(
                            "outputs[" + i + "].output", "at most " + MAX_OUTPUT + " characters, no NUL"));
                }
            }
        }
        checkText(errors, "label", request.label());
        checkText(errors, "model", request.model());
        checkText(errors, "promptVersion", request.promptVersion());
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
    }

    private static void checkText(List<Problem.FieldError> errors, String field, String value) {
        if (value != null && (value.length() > MAX_LABEL || value.indexOf('\u0000') >= 0)) {
            errors.add(new Problem.FieldError(field, "at most " + MAX_LABEL + " characters, no NUL"));
        }
    }

    private Uni<Void> exists(String projectId, String dataset) {
        return pool.preparedQuery("select 1 from evals.regression_cases where project_id = $1 and dataset = $2 limit 1")
                .execute(Tuple.of(projectId, dataset))
                .invoke(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ProblemException.notFound("no dataset " + dataset + " in this project: a dataset exists "
                                + "once a correction on one of the feature's decisions has been received");
                    }
                })
                .replaceWithVoid();
    }

    private static RegressionCase regressionCase(Row row) {
        return new RegressionCase(
                row.getString("case_id"),
                row.getString("dataset"),
                row.getString("input_hash"),
                row.getString("input"),
                row.getString("decision_id"),
                row.getString("feedback_id"),
                row.getString("original_output"),
                row.getString("expected_output"),
                read(row.getString("context"), CaseContext.class),
                instant(row, "corrected_at"),
                instant(row, "created_at"),
                instant(row, "updated_at"));
    }

    private static RunSummary summary(Row row) {
        return new RunSummary(
                row.getString("run_id"),
                row.getString("dataset"),
                row.getString("label"),
                row.getString("model"),
                row.getString("prompt_version"),
                instant(row, "created_at"),
                row.getInteger("run_cases"),
                row.getInteger("scored"),
                row.getInteger("passed"),
                row.getDouble("pass_rate"));
    }

    private static Run full(RunSummary s, StoredResults stored) {
        return new Run(
                s.runId(),
                s.dataset(),
                s.label(),
                s.model(),
                s.promptVersion(),
                s.createdAt(),
                s.cases(),
                s.scored(),
                s.passed(),
                s.passRate(),
                stored.missing(),
                stored.skipped(),
                stored.comparison(),
                stored.results());
    }

    /** Reads JSON this service wrote itself. */
    private static <T> T read(String json, Class<T> type) {
        try {
            return EventJson.mapper().readValue(json, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName() + " in evals: " + e.getMessage(), e);
        }
    }

    private static Instant instant(Row row, String column) {
        var value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
