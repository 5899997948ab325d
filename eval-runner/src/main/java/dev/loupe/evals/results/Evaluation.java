package dev.loupe.evals.results;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.evaluators.Check;
import dev.loupe.evals.evaluators.ReferenceMatchEvaluator;
import dev.loupe.evals.evaluators.Verdict;
import dev.loupe.evals.features.EvaluationPlan;
import dev.loupe.evals.features.PlannedEvaluator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs a plan's deterministic evaluators on one decision and lists the judge evaluations it still needs.
 * An evaluator that throws is a bug in that evaluator: it is logged and counted, and the others still run.
 */
@Singleton
public class Evaluation {
    private static final Logger LOG = Logger.getLogger(Evaluation.class);

    /** What one decision's evaluation produced: results, judge evaluations still to run, evaluators that did not apply. */
    public record Outcome(List<EvalResult> results, List<JudgeJob> judgeJobs, List<Skip> skipped) {}

    private final EvalResults results;
    private final MeterRegistry registry;
    private final Counter failures;
    private final ReferenceMatchEvaluator referenceMatch = new ReferenceMatchEvaluator();
    private final Check referenceCheck =
            referenceMatch.compile(EventJson.mapper().createObjectNode());

    public Evaluation(EvalResults results, MeterRegistry registry) {
        this.results = results;
        this.registry = registry;
        this.failures = registry.counter("loupe.evals.evaluator.failures");
    }

    /**
     * Runs the plan with a reference answer (a correction, a regression case's expected output) and, unless the
     * plan already has it, {@code reference_match} of the output against that reference at its default threshold.
     */
    public Outcome runAgainst(
            DecisionRecord decision, EvaluationPlan plan, EvalTrigger trigger, String reference, Instant now) {
        Outcome outcome = run(decision, plan, trigger, reference, now);
        if (reference == null
                || plan.evaluators().stream().anyMatch(e -> e.name().equals(ReferenceMatchEvaluator.NAME))) {
            return outcome;
        }
        Verdict verdict = referenceCheck.score(decision, reference);
        if (!verdict.applicable()) {
            return outcome;
        }
        List<EvalResult> scored = new ArrayList<>(outcome.results());
        scored.add(results.result(
                decision,
                referenceMatch.name(),
                referenceMatch.version(),
                verdict.score(),
                referenceMatch.defaultThreshold(),
                verdict.reason(),
                trigger,
                now));
        return new Outcome(scored, outcome.judgeJobs(), outcome.skipped());
    }

    public Outcome run(
            DecisionRecord decision, EvaluationPlan plan, EvalTrigger trigger, String reference, Instant now) {
        List<EvalResult> scored = new ArrayList<>(plan.evaluators().size());
        List<JudgeJob> jobs = new ArrayList<>(0);
        List<Skip> skipped = new ArrayList<>(0);
        for (PlannedEvaluator evaluator : plan.evaluators()) {
            if (!evaluator.evaluator().deterministic()) {
                jobs.add(new JudgeJob(
                        decision.projectId(),
                        decision.decisionId(),
                        decision.feature(),
                        evaluator.version(),
                        trigger,
                        evaluator.config(),
                        evaluator.threshold(),
                        reference));
                continue;
            }
            Verdict verdict;
            try {
                verdict = evaluator.check().score(decision, reference);
            } catch (RuntimeException e) {
                failures.increment();
                LOG.errorf(
                        e,
                        "evaluator %s failed on decision %s of project %s",
                        evaluator.name(),
                        decision.decisionId(),
                        decision.projectId());
                continue;
            }
            if (!verdict.applicable()) {
                registry.counter("loupe.evals.not.applicable", "evaluator", evaluator.name())
                        .increment();
                skipped.add(new Skip(
                        decision.projectId(),
                        decision.decisionId(),
                        decision.feature(),
                        evaluator.name(),
                        evaluator.version(),
                        trigger,
                        verdict.reason(),
                        now));
                continue;
            }
            scored.add(results.result(
                    decision,
                    evaluator.name(),
                    evaluator.version(),
                    verdict.score(),
                    evaluator.threshold(),
                    verdict.reason(),
                    trigger,
                    now));
        }
        return new Outcome(scored, jobs, skipped);
    }
}
