package dev.loupe.evals.features;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.evaluators.Verdict;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What a feature's evaluators did with its decisions of the last hour (issue 26: an evaluator that never applies
 * must say so, not look like a broken pipeline): how many decisions were received and sampled, how many got at
 * least one result, and per evaluator how many it judged and how many it skipped as not applicable, with the
 * reasons. The window is the decisions received in the last hour by the database's clock; results and skips are
 * counted for those decisions, by primary key.
 */
@Singleton
public class FeatureActivity {
    private static final Logger LOG = Logger.getLogger(FeatureActivity.class);
    static final String WINDOW = "PT1H";
    /** A PUT tries the new evaluators on at most this many of the feature's newest decisions of the last hour. */
    static final int TRIAL_DECISIONS = 200;

    private static final String RECENT = """
            select decision_id, sampling from evals.decisions
            where project_id = $1 and feature = $2 and received_at >= now() - interval '1 hour'""";
    private static final String TOTALS = "with d as (" + RECENT + """
            )
            select (select count(*) from d) as received,
                   (select count(*) from d where sampling in ('rate', 'error', 'truncated')) as sampled,
                   (select count(*) from d where exists (
                        select 1 from evals.results r
                        where r.project_id = $1 and r.decision_id = d.decision_id and r.trigger = 'SAMPLED')) as judged,
                   now() - interval '1 hour' as since""";
    private static final String PER_EVALUATOR = "with d as (" + RECENT + """
            )
            select r.evaluator, null::text as reason, count(*) as n
            from d join evals.results r on r.project_id = $1 and r.decision_id = d.decision_id and r.trigger = 'SAMPLED'
            group by r.evaluator
            union all
            select s.evaluator, s.reason, count(*) as n
            from d join evals.skips s on s.project_id = $1 and s.decision_id = d.decision_id and s.trigger = 'SAMPLED'
            group by s.evaluator, s.reason""";
    private static final String TRIAL = """
            select record::text as record from evals.decisions
            where project_id = $1 and feature = $2 and received_at >= now() - interval '1 hour'
            order by received_at desc limit\s""" + TRIAL_DECISIONS;

    /** "sampled N, judged M, not applicable K (reasons)" for the last hour; {@code notices} say it in words. */
    @RegisterForReflection
    public record Activity(
            String window,
            Instant since,
            long received,
            long sampled,
            long judged,
            List<EvaluatorActivity> evaluators,
            List<String> notices) {}

    @RegisterForReflection
    public record EvaluatorActivity(String evaluator, long judged, long notApplicable, List<Reason> reasons) {}

    @RegisterForReflection
    public record Reason(String reason, long count) {}

    private final Pool pool;

    public FeatureActivity(Pool pool) {
        this.pool = pool;
    }

    public Uni<Activity> lastHour(PlanKey key, EvaluationPlan plan) {
        Tuple args = Tuple.of(key.projectId(), stored(key));
        return pool.preparedQuery(TOTALS)
                .execute(args)
                .chain(totals -> pool.preparedQuery(PER_EVALUATOR)
                        .execute(args)
                        .map(rows -> activity(totals.iterator().next(), rows, plan)));
    }

    /**
     * Runs the plan's deterministic evaluators on the feature's newest decisions of the last hour, and warns for
     * each that would apply to none of them, with the reason it gives most often. A judge evaluator is not tried
     * (that would cost calls); nothing is stored.
     */
    public Uni<List<String>> wouldSkipAll(PlanKey key, EvaluationPlan plan) {
        if (plan.evaluators().stream().noneMatch(e -> e.evaluator().deterministic())) {
            return Uni.createFrom().item(List.of());
        }
        return pool.preparedQuery(TRIAL)
                .execute(Tuple.of(key.projectId(), stored(key)))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(rows -> {
                    List<DecisionRecord> decisions = new ArrayList<>();
                    for (Row row : rows) {
                        try {
                            decisions.add(EventJson.decode(row.getString("record"), DecisionRecord.class));
                        } catch (RuntimeException e) {
                            LOG.debugf(e, "a stored decision of %s could not be read back", key);
                        }
                    }
                    return warnings(key, plan, decisions);
                });
    }

    static List<String> warnings(PlanKey key, EvaluationPlan plan, List<DecisionRecord> decisions) {
        List<String> warnings = new ArrayList<>();
        if (decisions.isEmpty()) {
            return warnings;
        }
        for (PlannedEvaluator evaluator : plan.evaluators()) {
            if (!evaluator.evaluator().deterministic()) {
                continue;
            }
            Map<String, Integer> reasons = new LinkedHashMap<>();
            boolean applies = false;
            for (DecisionRecord decision : decisions) {
                Verdict verdict;
                try {
                    verdict = evaluator.check().score(decision, null);
                } catch (RuntimeException e) {
                    continue; // a failing evaluator is logged where it runs for real; it is not "not applicable"
                }
                if (verdict.applicable()) {
                    applies = true;
                    break;
                }
                reasons.merge(verdict.reason(), 1, Integer::sum);
            }
            if (!applies && !reasons.isEmpty()) {
                String reason = reasons.entrySet().stream()
                        .max(Map.Entry.comparingByValue())
                        .orElseThrow()
                        .getKey();
                warnings.add(evaluator.name() + " would not apply to any of the " + decisions.size()
                        + " decisions feature '" + key.feature() + "' sent in the last hour: " + reason);
            }
        }
        return warnings;
    }

    private static Activity activity(Row totals, Iterable<Row> rows, EvaluationPlan plan) {
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, List<Reason>> reasons = new LinkedHashMap<>();
        // the configured evaluators first, in their order, even when they did nothing yet
        plan.evaluators().forEach(e -> counts.putIfAbsent(e.name(), new long[2]));
        for (Row row : rows) {
            String evaluator = row.getString("evaluator");
            long n = row.getLong("n");
            long[] c = counts.computeIfAbsent(evaluator, k -> new long[2]);
            String reason = row.getString("reason");
            if (reason == null) {
                c[0] += n;
            } else {
                c[1] += n;
                reasons.computeIfAbsent(evaluator, k -> new ArrayList<>()).add(new Reason(reason, n));
            }
        }
        long sampled = totals.getLong("sampled");
        List<EvaluatorActivity> evaluators = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        counts.forEach((name, c) -> {
            List<Reason> why = reasons.getOrDefault(name, List.of()).stream()
                    .sorted(Comparator.comparingLong(Reason::count).reversed().thenComparing(Reason::reason))
                    .toList();
            evaluators.add(new EvaluatorActivity(name, c[0], c[1], why));
            if (c[0] == 0 && c[1] > 0) {
                notices.add(name + " judged none of the " + sampled + " decisions sampled in the last hour: not"
                        + " applicable to " + c[1] + " (" + why.get(0).reason() + ")");
            }
        });
        if (totals.getLong("received") > 0 && sampled == 0) {
            notices.add("none of the " + totals.getLong("received")
                    + " decisions received in the last hour was sampled: raise samplingRate to evaluate some");
        }
        return new Activity(
                WINDOW,
                totals.getOffsetDateTime("since").toInstant(),
                totals.getLong("received"),
                sampled,
                totals.getLong("judged"),
                evaluators,
                notices);
    }

    /** The API takes only non-blank feature names; decisions without one are stored with a null feature. */
    private static String stored(PlanKey key) {
        return key.feature();
    }
}
