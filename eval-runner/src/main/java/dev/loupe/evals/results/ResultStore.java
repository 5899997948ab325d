package dev.loupe.evals.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
                                       judge_cost_usd, schema_version, dimensions)
            select project_id, decision_id, evaluator, evaluator_version, trigger, eval_id, feature, score, passed, reason,
                   evaluated_at, judge_input_tokens, judge_output_tokens, judge_cost_usd, schema_version, dimensions::json
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                        $8::float8[], $9::bool[], $10::text[], $11::timestamptz[], $12::int[], $13::int[],
                        $14::numeric[], $15::int2[], $16::text[])
                 as u(project_id, decision_id, evaluator, evaluator_version, trigger, eval_id, feature, score, passed,
                      reason, evaluated_at, judge_input_tokens, judge_output_tokens, judge_cost_usd, schema_version,
                      dimensions)
            on conflict (project_id, decision_id, evaluator, evaluator_version, trigger) do\s""";
    // nothing is returned: the row count says whether every result is new, which is the common case
    private static final String KEEP = "nothing";
    private static final String REPLACE = """
            update set score = excluded.score, passed = excluded.passed, reason = excluded.reason,
            evaluated_at = excluded.evaluated_at, judge_input_tokens = excluded.judge_input_tokens,
            judge_output_tokens = excluded.judge_output_tokens, judge_cost_usd = excluded.judge_cost_usd,
            schema_version = excluded.schema_version, dimensions = excluded.dimensions, record = null""";
    /**
     * The columns {@link #read} turns back into the published result; {@code record} is set on rows stored before
     * V4 only (results table alias {@code r}).
     */
    public static final String COLUMNS = """
            r.project_id, r.decision_id, r.evaluator, r.evaluator_version, r.trigger, r.eval_id, r.feature, r.score,
            r.passed, r.reason, r.evaluated_at, r.schema_version, r.dimensions::text as dimensions,
            r.record::text as record""";

    private static final String STORED = "select " + COLUMNS + """
             from evals.results r
            where r.project_id = any($1) and r.decision_id = any($2) and r.eval_id = any($3)""";
    private static final String QUEUE = """
            insert into evals.judge_jobs (project_id, decision_id, evaluator, evaluator_version, trigger, feature, config,
                                          threshold, reference, due_at, created_at, updated_at)
            select project_id, decision_id, 'llm_judge', evaluator_version, trigger, feature, config::jsonb, threshold,
                   reference, $9, $9, $9
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[])
                 as u(project_id, decision_id, evaluator_version, trigger, feature, config, threshold, reference)
            on conflict (project_id, decision_id, evaluator, evaluator_version, trigger) do\s""";

    private static final String SKIP = """
            insert into evals.skips (project_id, decision_id, evaluator, evaluator_version, trigger, feature, reason,
                                     skipped_at)
            select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::timestamptz[])
            on conflict (project_id, decision_id, evaluator, evaluator_version, trigger) do nothing""";

    private static final TypeReference<Map<String, String>> DIMENSIONS = new TypeReference<>() {};

    /** Records evaluators that did not apply, with their reasons; a redelivered decision records nothing new. */
    public Uni<Void> skip(SqlClient client, List<Skip> skips) {
        if (skips.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = skips.size();
        String[] projects = new String[n], decisions = new String[n], evaluators = new String[n];
        String[] versions = new String[n], triggers = new String[n], features = new String[n], reasons = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Skip s = skips.get(i);
            projects[i] = s.projectId();
            decisions[i] = s.decisionId();
            evaluators[i] = s.evaluator();
            versions[i] = s.evaluatorVersion();
            triggers[i] = s.trigger().name();
            features[i] = s.feature();
            reasons[i] = s.reason();
            times[i] = s.skippedAt().atOffset(ZoneOffset.UTC);
        }
        return client.preparedQuery(SKIP)
                .execute(Tuple.tuple()
                        .addValue(projects)
                        .addValue(decisions)
                        .addValue(evaluators)
                        .addValue(versions)
                        .addValue(triggers)
                        .addValue(features)
                        .addValue(reasons)
                        .addValue(times))
                .replaceWithVoid();
    }

    /** The judge's own usage for one result (null for deterministic evaluators). */
    public record JudgeUsage(Integer inputTokens, Integer outputTokens, BigDecimal costUsd) {}

    /**
     * Stores results and returns what is stored for each: the given result where it is new (or {@code replace}),
     * else the one stored the first time. One statement for the batch; a second only when some were stored before.
     */
    public Uni<List<EvalResult>> store(
            SqlClient client, List<EvalResult> results, List<JudgeUsage> usage, boolean replace) {
        if (results.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int n = results.size();
        String[] projects = new String[n],
                decisions = new String[n],
                evaluators = new String[n],
                versions = new String[n];
        String[] triggers = new String[n], ids = new String[n], features = new String[n], reasons = new String[n];
        String[] dimensions = new String[n];
        Short[] schemaVersions = new Short[n];
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
            schemaVersions[i] = (short) r.schemaVersion();
            // one decision's results share their dimensions: encoded once, not once per result
            if (r.dimensions() != null) {
                dimensions[i] =
                        i > 0 && r.dimensions().equals(results.get(i - 1).dimensions())
                                ? dimensions[i - 1]
                                : EventJson.encode(r.dimensions());
            }
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
                schemaVersions,
                dimensions));
        return client.preparedQuery(INSERT + (replace ? REPLACE : KEEP))
                .execute(args)
                .chain(rows -> {
                    if (rows.rowCount() == n) {
                        return Uni.createFrom().item(results);
                    }
                    // a redelivery: what was stored the first time (same id, same time) is what gets published again
                    return client.preparedQuery(STORED)
                            .execute(Tuple.of(
                                    results.stream()
                                            .map(EvalResult::projectId)
                                            .distinct()
                                            .toArray(String[]::new),
                                    results.stream()
                                            .map(EvalResult::decisionId)
                                            .distinct()
                                            .toArray(String[]::new),
                                    results.stream().map(EvalResult::evalId).toArray(String[]::new)))
                            .map(found -> {
                                List<EvalResult> stored = new ArrayList<>(n);
                                found.forEach(row -> stored.add(read(row)));
                                return stored;
                            });
                });
    }

    /** A stored result as it was published: from its record (rows from before V4), else from its columns. */
    public static EvalResult read(Row row) {
        String record = row.getString("record");
        if (record != null) {
            return EventJson.decode(record, EvalResult.class);
        }
        String dimensions = row.getString("dimensions");
        Short schemaVersion = row.getShort("schema_version");
        return new EvalResult(
                schemaVersion == null ? SchemaVersions.CURRENT : schemaVersion,
                row.getString("project_id"),
                row.getString("eval_id"),
                row.getString("decision_id"),
                row.getString("feature"),
                row.getString("evaluator"),
                row.getString("evaluator_version"),
                row.getDouble("score"),
                row.getBoolean("passed"),
                row.getString("reason"),
                EvalTrigger.valueOf(row.getString("trigger")),
                dimensions == null ? null : dimensions(dimensions),
                row.getOffsetDateTime("evaluated_at").toInstant());
    }

    private static Map<String, String> dimensions(String json) {
        try {
            return EventJson.mapper().readValue(json, DIMENSIONS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored dimensions are not a JSON object of strings: " + json, e);
        }
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
