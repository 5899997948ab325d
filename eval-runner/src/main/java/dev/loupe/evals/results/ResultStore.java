package dev.loupe.evals.results;

import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes results and judge jobs in the caller's transaction. A result is unique per decision, evaluator,
 * version and trigger: a redelivered decision gets back the result stored the first time (same id, same
 * time), which is what is published again; a manual run replaces the previous manual result.
 */
@Singleton
public class ResultStore {
    private static final String INSERT = """
            insert into evals.results (project_id, decision_id, evaluator, evaluator_version, trigger, eval_id, feature,
                                       score, passed, reason, evaluated_at, judge_input_tokens, judge_output_tokens,
                                       judge_cost_usd, record)
            select project_id, decision_id, evaluator, evaluator_version, trigger, eval_id, feature, score, passed, reason,
                   evaluated_at, judge_input_tokens, judge_output_tokens, judge_cost_usd, record::jsonb
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                        $8::float8[], $9::bool[], $10::text[], $11::timestamptz[], $12::int[], $13::int[],
                        $14::numeric[], $15::text[])
                 as u(project_id, decision_id, evaluator, evaluator_version, trigger, eval_id, feature, score, passed,
                      reason, evaluated_at, judge_input_tokens, judge_output_tokens, judge_cost_usd, record)
            on conflict (project_id, decision_id, evaluator, evaluator_version, trigger) do\s""";
    private static final String KEEP = "nothing returning eval_id";
    private static final String REPLACE = """
            update set score = excluded.score, passed = excluded.passed, reason = excluded.reason,
            evaluated_at = excluded.evaluated_at, judge_input_tokens = excluded.judge_input_tokens,
            judge_output_tokens = excluded.judge_output_tokens, judge_cost_usd = excluded.judge_cost_usd,
            record = excluded.record
            returning eval_id""";
    private static final String STORED = """
            select record::text as record from evals.results
            where project_id = any($1) and decision_id = any($2) and eval_id = any($3)""";
    private static final String QUEUE = """
            insert into evals.judge_jobs (project_id, decision_id, evaluator, evaluator_version, trigger, feature, config,
                                          threshold, reference, due_at, created_at, updated_at)
            select project_id, decision_id, 'llm_judge', evaluator_version, trigger, feature, config::jsonb, threshold,
                   reference, $9, $9, $9
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[])
                 as u(project_id, decision_id, evaluator_version, trigger, feature, config, threshold, reference)
            on conflict (project_id, decision_id, evaluator, evaluator_version, trigger) do\s""";

    /** The judge's own usage for one result (null for deterministic evaluators). */
    public record JudgeUsage(Integer inputTokens, Integer outputTokens, BigDecimal costUsd) {}

    /**
     * Stores results and returns what is stored for each: the given result where it is new (or {@code replace}),
     * else the one stored the first time. {@code json}: the results already encoded (off the event loop), or null.
     */
    public Uni<List<EvalResult>> store(
            SqlClient client, List<EvalResult> results, List<String> json, List<JudgeUsage> usage, boolean replace) {
        if (results.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int n = results.size();
        String[] projects = new String[n],
                decisions = new String[n],
                evaluators = new String[n],
                versions = new String[n];
        String[] triggers = new String[n], ids = new String[n], features = new String[n], reasons = new String[n];
        String[] records = new String[n];
        Double[] scores = new Double[n];
        Boolean[] passed = new Boolean[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        Integer[] inputTokens = new Integer[n], outputTokens = new Integer[n];
        BigDecimal[] costs = new BigDecimal[n];
        for (int i = 0; i < n; i++) {
            EvalResult r = results.get(i);
            projects[i] = r.projectId();
            decisions[i] = r.decisionId();
            evaluators[i] = r.evaluator();
            versions[i] = r.evaluatorVersion();
            triggers[i] = r.trigger().name();
            ids[i] = r.evalId();
            features[i] = r.feature();
            scores[i] = r.score();
            passed[i] = r.passed();
            reasons[i] = r.reason();
            times[i] = r.evaluatedAt().atOffset(ZoneOffset.UTC);
            records[i] = json == null ? EventJson.encode(r) : json.get(i);
            JudgeUsage u = usage == null ? null : usage.get(i);
            if (u != null) {
                inputTokens[i] = u.inputTokens();
                outputTokens[i] = u.outputTokens();
                costs[i] = u.costUsd();
            }
        }
        Tuple args = Tuple.tuple(List.of(
                projects,
                decisions,
                evaluators,
                versions,
                triggers,
                ids,
                features,
                scores,
                passed,
                reasons,
                times,
                inputTokens,
                outputTokens,
                costs,
                records));
        return client.preparedQuery(INSERT + (replace ? REPLACE : KEEP))
                .execute(args)
                .chain(rows -> {
                    if (rows.rowCount() == n) {
                        return Uni.createFrom().item(results);
                    }
                    // a redelivery: what was stored the first time (same id, same time) is what gets published again
                    Set<String> inserted = new HashSet<>();
                    rows.forEach(row -> inserted.add(row.getString("eval_id")));
                    List<EvalResult> stored = new ArrayList<>(n);
                    List<EvalResult> existing = new ArrayList<>();
                    for (EvalResult r : results) {
                        (inserted.contains(r.evalId()) ? stored : existing).add(r);
                    }
                    return client.preparedQuery(STORED)
                            .execute(Tuple.of(
                                    existing.stream()
                                            .map(EvalResult::projectId)
                                            .distinct()
                                            .toArray(String[]::new),
                                    existing.stream()
                                            .map(EvalResult::decisionId)
                                            .distinct()
                                            .toArray(String[]::new),
                                    existing.stream().map(EvalResult::evalId).toArray(String[]::new)))
                            .map(found -> {
                                found.forEach(
                                        row -> stored.add(EventJson.decode(row.getString("record"), EvalResult.class)));
                                return stored;
                            });
                });
    }

    /** Queues judge evaluations; a job already queued (or done) for the same identity is left as it is. */
    public Uni<Void> queue(SqlClient client, List<JudgeJob> jobs, Instant now, boolean requeue) {
        if (jobs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = jobs.size();
        String[] projects = new String[n],
                decisions = new String[n],
                versions = new String[n],
                triggers = new String[n];
        String[] features = new String[n], configs = new String[n], references = new String[n];
        Double[] thresholds = new Double[n];
        for (int i = 0; i < n; i++) {
            JudgeJob job = jobs.get(i);
            projects[i] = job.projectId();
            decisions[i] = job.decisionId();
            versions[i] = job.evaluatorVersion();
            triggers[i] = job.trigger().name();
            features[i] = job.feature();
            configs[i] = job.config().toString();
            thresholds[i] = job.threshold();
            references[i] = job.reference();
        }
        String onConflict = requeue
                // a manual re-run starts the job afresh, unless its result is stored and only waits to be published
                ? "update set state = 'queued', due_at = excluded.due_at, config = excluded.config, "
                        + "threshold = excluded.threshold, reference = excluded.reference, updated_at = excluded.updated_at, "
                        + "attempts = 0, malformed_runs = 0, last_error = null, leased_until = null, lease_token = null "
                        + "where evals.judge_jobs.state <> 'scored'"
                : "nothing";
        return client.preparedQuery(QUEUE + onConflict)
                .execute(Tuple.tuple(List.of(
                        projects,
                        decisions,
                        versions,
                        triggers,
                        features,
                        configs,
                        thresholds,
                        references,
                        now.atOffset(ZoneOffset.UTC))))
                .replaceWithVoid();
    }
}
