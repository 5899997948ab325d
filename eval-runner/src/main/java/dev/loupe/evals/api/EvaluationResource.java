package dev.loupe.evals.api;

import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.features.EvaluationPlans;
import dev.loupe.evals.features.PlanKey;
import dev.loupe.evals.judge.JudgeClient;
import dev.loupe.evals.judge.JudgeUnavailableException;
import dev.loupe.evals.judge.JudgeWorker;
import dev.loupe.evals.judge.LlmJudgeEvaluator;
import dev.loupe.evals.judge.MalformedJudgeAnswerException;
import dev.loupe.evals.results.EvalPublisher;
import dev.loupe.evals.results.EvalResults;
import dev.loupe.evals.results.Evaluation;
import dev.loupe.evals.results.JudgeJob;
import dev.loupe.evals.results.ResultStore;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/evaluations}: runs a feature's evaluators on one kept decision now (trigger MANUAL), the
 * judge included, and answers the results; they are stored (replacing an earlier manual run) and published
 * like sampled ones. A judge that cannot be reached leaves its evaluation queued and listed as pending.
 */
@Path("/v1/evaluations")
public class EvaluationResource {
    static final int MAX_ID = 256;
    static final int MAX_REFERENCE = 100_000;
    private static final String MANUAL_DONE = """
            update evals.judge_jobs set state = 'done', leased_until = null, lease_token = null
            where project_id = $1 and decision_id = $2 and trigger = 'MANUAL' and state = 'queued'""";

    @RegisterForReflection
    public record EvaluationRequest(String decisionId, String reference) {}

    @RegisterForReflection
    public record Pending(String evaluator, String reason) {}

    @RegisterForReflection
    public record EvaluationResponse(List<EvalResult> results, List<Pending> pending) {}

    private record Judged(EvalResult result, ResultStore.JudgeUsage usage, JudgeJob queued, String why) {}

    private final Pool pool;
    private final EvaluationPlans plans;
    private final Evaluation evaluation;
    private final EvalResults results;
    private final ResultStore store;
    private final EvalPublisher publisher;
    private final JudgeClient judge;
    private final JudgeWorker worker;
    private final LlmJudgeEvaluator judgeEvaluator;
    private final Caller caller;
    private final Clock clock;

    public EvaluationResource(
            Pool pool,
            EvaluationPlans plans,
            Evaluation evaluation,
            EvalResults results,
            ResultStore store,
            EvalPublisher publisher,
            JudgeClient judge,
            JudgeWorker worker,
            LlmJudgeEvaluator judgeEvaluator,
            Caller caller,
            Clock clock) {
        this.pool = pool;
        this.plans = plans;
        this.evaluation = evaluation;
        this.results = results;
        this.store = store;
        this.publisher = publisher;
        this.judge = judge;
        this.worker = worker;
        this.judgeEvaluator = judgeEvaluator;
        this.caller = caller;
        this.clock = clock;
    }

    @POST
    @RolesAllowed(Scope.ADMIN_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<EvaluationResponse> evaluate(EvaluationRequest request) {
        if (request == null
                || request.decisionId() == null
                || request.decisionId().isBlank()) {
            throw ProblemException.badRequest("decisionId", "is required");
        }
        if (request.decisionId().length() > MAX_ID || request.decisionId().indexOf('\u0000') >= 0) {
            throw ProblemException.badRequest("decisionId", "at most " + MAX_ID + " characters, no NUL");
        }
        if (request.reference() != null
                && (request.reference().length() > MAX_REFERENCE
                        || request.reference().indexOf('\u0000') >= 0)) {
            throw ProblemException.badRequest("reference", "at most " + MAX_REFERENCE + " characters, no NUL");
        }
        String project = caller.projectId();
        return pool.preparedQuery("select record::text from evals.decisions where project_id = $1 and decision_id = $2")
                .execute(Tuple.of(project, request.decisionId()))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ProblemException.notFound("decision " + request.decisionId() + " is not kept by the "
                                + "eval-runner: unknown to this project, not yet consumed, or past retention");
                    }
                    return EventJson.decode(rows.iterator().next().getString(0), DecisionRecord.class);
                })
                .chain(decision -> plans.plan(PlanKey.of(project, decision.feature()))
                        // up to 32 evaluators with regexes: off the event loop
                        .emitOn(Infrastructure.getDefaultWorkerPool())
                        .map(plan -> evaluation.run(
                                decision, plan, EvalTrigger.MANUAL, request.reference(), clock.instant()))
                        .chain(outcome -> run(decision, outcome)));
    }

    private Uni<EvaluationResponse> run(DecisionRecord decision, Evaluation.Outcome outcome) {
        Uni<List<Judged>> judged = outcome.judgeJobs().isEmpty()
                ? Uni.createFrom().item(List.of())
                : Multi.createFrom()
                        .iterable(outcome.judgeJobs())
                        .onItem()
                        .transformToUniAndConcatenate(job -> judgeNow(decision, job))
                        .collect()
                        .asList();
        return judged.chain(done -> {
            List<EvalResult> all = new ArrayList<>(outcome.results());
            List<ResultStore.JudgeUsage> usage = new ArrayList<>();
            outcome.results().forEach(r -> usage.add(null));
            List<JudgeJob> queue = new ArrayList<>();
            List<Pending> pending = new ArrayList<>();
            for (Judged j : done) {
                if (j.result() != null) {
                    all.add(j.result());
                    usage.add(j.usage());
                } else {
                    queue.add(j.queued());
                    pending.add(new Pending(LlmJudgeEvaluator.NAME, j.why()));
                }
            }
            Instant now = clock.instant();
            // a judge that answered now supersedes a manual run of it still queued from before
            Uni<Void> superseded = done.stream().anyMatch(j -> j.result() != null)
                    ? pool.preparedQuery(MANUAL_DONE)
                            .execute(Tuple.of(decision.projectId(), decision.decisionId()))
                            .replaceWithVoid()
                    : Uni.createFrom().voidItem();
            return superseded
                    .chain(() -> pool.withTransaction(connection -> store.queue(connection, queue, now, true)
                            .chain(() -> store.store(connection, all, usage, true))))
                    .call(stored -> publisher
                            .publish(stored)
                            .onFailure()
                            .transform(e -> ProblemException.unavailable(
                                    "the results are stored but Kafka did not acknowledge them; run the evaluation again",
                                    5)))
                    .map(stored -> new EvaluationResponse(stored, pending));
        });
    }

    private Uni<Judged> judgeNow(DecisionRecord decision, JudgeJob job) {
        return judge.judge(decision, judgeEvaluator.compile(job.config()), job.reference())
                .map(verdict -> new Judged(
                        results.result(
                                decision,
                                LlmJudgeEvaluator.NAME,
                                job.evaluatorVersion(),
                                verdict.score(),
                                job.threshold(),
                                verdict.reason(),
                                EvalTrigger.MANUAL,
                                clock.instant()),
                        worker.usage(verdict),
                        null,
                        null))
                .onFailure(e -> e instanceof JudgeUnavailableException || e instanceof MalformedJudgeAnswerException)
                .recoverWithItem(
                        e -> new Judged(null, null, job, e.getMessage() + "; queued, it runs when the judge answers"));
    }
}
