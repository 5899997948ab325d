package dev.loupe.evals.judge;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.results.ResultStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code evals.judge_jobs}: claims due jobs under a lease ({@code for update skip locked}, so replicas share
 * the queue), and records how each ended. States: {@code queued} → {@code scored} (result stored, not yet
 * acknowledged by Kafka) → {@code done}; {@code unparseable} when the judge keeps answering malformed JSON;
 * {@code abandoned} when the decision is no longer kept.
 */
@Singleton
public class JudgeQueue {
    private static final String CLAIM = """
            with due as (
                select project_id, decision_id, evaluator, evaluator_version, trigger from evals.judge_jobs
                where state = 'queued' and due_at <= $1 and (leased_until is null or leased_until <= $1)
                order by due_at limit $2
                for update skip locked)
            update evals.judge_jobs j set leased_until = $3, lease_token = gen_random_uuid(), attempts = j.attempts + 1,
                updated_at = $1
            from due
            where j.project_id = due.project_id and j.decision_id = due.decision_id and j.evaluator = due.evaluator
              and j.evaluator_version = due.evaluator_version and j.trigger = due.trigger
            returning j.project_id, j.decision_id, j.evaluator_version, j.trigger, j.config::text as config, j.threshold,
                      j.reference, j.attempts, j.malformed_runs, j.lease_token::text as lease_token,
                      (select d.record::text from evals.decisions d
                       where d.project_id = j.project_id and d.decision_id = j.decision_id) as decision""";
    private static final String WHERE = """
            \swhere project_id = $1 and decision_id = $2 and evaluator = 'llm_judge' and evaluator_version = $3
               and trigger = $4""";
    /** Only the holder of the claim may record how the job ended: a replica whose lease ran out changes nothing. */
    private static final String HELD = WHERE + " and lease_token = $5::uuid";

    private static final String UNPUBLISHED = "select " + ResultStore.COLUMNS + """

            from evals.judge_jobs j
            join evals.results r on r.project_id = j.project_id and r.decision_id = j.decision_id
             and r.evaluator = j.evaluator and r.evaluator_version = j.evaluator_version and r.trigger = j.trigger
            where j.state = 'scored' and coalesce(j.leased_until, '-infinity') <= $1
            limit $2""";

    /** A claimed job with its decision ({@code null} when the decision is no longer kept). */
    public record Claimed(
            String projectId,
            String decisionId,
            String evaluatorVersion,
            EvalTrigger trigger,
            LlmJudgeEvaluator.JudgeCheck check,
            double threshold,
            String reference,
            int attempts,
            int malformedRuns,
            String leaseToken,
            DecisionRecord decision) {}

    private final Pool pool;
    private final LlmJudgeEvaluator evaluator;

    public JudgeQueue(Pool pool, LlmJudgeEvaluator evaluator) {
        this.pool = pool;
        this.evaluator = evaluator;
    }

    public Uni<List<Claimed>> claim(Instant now, int limit, Duration lease) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(
                        now.atOffset(ZoneOffset.UTC), limit, now.plus(lease).atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    for (Row row : rows) {
                        String decision = row.getString("decision");
                        claimed.add(new Claimed(
                                row.getString("project_id"),
                                row.getString("decision_id"),
                                row.getString("evaluator_version"),
                                EvalTrigger.valueOf(row.getString("trigger")),
                                evaluator.compile(readTree(row.getString("config"))),
                                row.getDouble("threshold"),
                                row.getString("reference"),
                                row.getInteger("attempts"),
                                row.getInteger("malformed_runs"),
                                row.getString("lease_token"),
                                decision == null ? null : EventJson.decode(decision, DecisionRecord.class)));
                    }
                    return claimed;
                });
    }

    /** The job failed for now: try again at {@code dueAt}; {@code malformed} counts towards giving up. */
    public Uni<Void> retryAt(Claimed job, Instant dueAt, String error, boolean malformed, Instant now) {
        return update(
                "set leased_until = null, lease_token = null, due_at = $6, last_error = $7, updated_at = $8, "
                        + "malformed_runs = malformed_runs + $9",
                job,
                dueAt.atOffset(ZoneOffset.UTC),
                error,
                now.atOffset(ZoneOffset.UTC),
                malformed ? 1 : 0);
    }

    /** The job ends without a score ({@code unparseable}, {@code abandoned}). */
    public Uni<Void> end(Claimed job, String state, String error, Instant now) {
        return update(
                "set state = $6, leased_until = null, lease_token = null, last_error = $7, updated_at = $8",
                job,
                state,
                error,
                now.atOffset(ZoneOffset.UTC));
    }

    /**
     * Inside the transaction that stores the result: the result exists, Kafka has not acknowledged it yet.
     * Fails when the claim was lost (another replica took the job), which rolls the result back.
     */
    public Uni<Void> scored(SqlClient client, Claimed job, Instant now) {
        return client.preparedQuery(
                        "update evals.judge_jobs set state = 'scored', last_error = null, updated_at = $6" + HELD)
                .execute(Tuple.of(
                        job.projectId(),
                        job.decisionId(),
                        job.evaluatorVersion(),
                        job.trigger().name(),
                        job.leaseToken(),
                        now.atOffset(ZoneOffset.UTC)))
                .invoke(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new IllegalStateException("the claim on judge job for decision " + job.decisionId()
                                + " was lost to another replica");
                    }
                })
                .replaceWithVoid();
    }

    public Uni<Void> done(String projectId, String decisionId, String version, EvalTrigger trigger) {
        return pool.preparedQuery(
                        "update evals.judge_jobs set state = 'done', leased_until = null, lease_token = null" + WHERE)
                .execute(Tuple.of(projectId, decisionId, version, trigger.name()))
                .replaceWithVoid();
    }

    /** Results stored by a replica that stopped before Kafka acknowledged them. */
    public Uni<List<EvalResult>> unpublished(Instant now, int limit) {
        return pool.preparedQuery(UNPUBLISHED)
                .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), limit))
                .map(rows -> {
                    List<EvalResult> results = new ArrayList<>();
                    rows.forEach(row -> results.add(ResultStore.read(row)));
                    return results;
                });
    }

    public Uni<Long> depth() {
        return pool.query("select count(*) from evals.judge_jobs where state = 'queued'")
                .execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private Uni<Void> update(String set, Claimed job, Object... more) {
        List<Object> args = new ArrayList<>(List.of(
                job.projectId(),
                job.decisionId(),
                job.evaluatorVersion(),
                job.trigger().name()));
        args.addAll(java.util.Arrays.asList(more));
        args.add(4, job.leaseToken());
        return pool.preparedQuery("update evals.judge_jobs " + set + HELD)
                .execute(Tuple.from(args))
                .replaceWithVoid();
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
