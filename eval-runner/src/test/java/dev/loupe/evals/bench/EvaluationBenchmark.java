package dev.loupe.evals.bench;

import static dev.loupe.evals.support.EvalTests.configure;
import static dev.loupe.evals.support.EvalTests.count;
import static dev.loupe.evals.support.EvalTests.decision;
import static dev.loupe.evals.support.EvalTests.project;
import static dev.loupe.evals.support.EvalTests.query;
import static dev.loupe.evals.support.EvalTests.send;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.evals.features.EvaluationPlan;
import dev.loupe.evals.features.EvaluationPlans;
import dev.loupe.evals.features.PlanKey;
import dev.loupe.evals.intake.DecisionConsumer;
import dev.loupe.evals.results.Evaluation;
import dev.loupe.evals.support.FakeJudgeResource;
import dev.loupe.testing.KafkaTestResource;
import dev.loupe.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deterministic evaluation throughput with the default evaluator set (json_valid, pii_leak, refusal), every
 * decision sampled: (1) the evaluators alone, in parallel as the consumer runs them; (2) the whole consumer
 * path over the real broker and PostgreSQL (keep, sample, evaluate, store, publish). Not a test:
 * {@code ./mvnw -B -pl eval-runner verify -Pbenchmark} (docs/benchmarks.md); sizes from
 * {@code -Dloupe.bench.decisions} (default 50,000).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FakeJudgeResource.class)
class EvaluationBenchmark {
    private static final int DECISIONS = Integer.getInteger("loupe.bench.decisions", 50_000);

    @Inject
    Pool pool;

    @Inject
    Evaluation evaluation;

    @Inject
    EvaluationPlans plans;

    @Inject
    KafkaClientService kafka;

    @Test
    void deterministicEvaluationThroughput() {
        System.out.printf(
                "machine: %d cores, max heap %d MiB, %s %s%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        String feature = "bench-" + Long.toHexString(System.nanoTime());
        configure(feature, "{\"samplingRate\": 1.0, \"maxPerMinute\": 1000000}");
        EvaluationPlan plan = plans.plan(PlanKey.of(project(), feature)).await().indefinitely();
        System.out.printf(
                "default evaluator set: %s%n",
                plan.specs().stream().map(s -> s.name()).toList());

        List<DecisionRecord> warm = decisions(feature + "-warm", 20_000);
        engine(warm, plan);
        List<DecisionRecord> measured = decisions(feature + "-m", DECISIONS);
        long started = System.nanoTime();
        long results = engine(measured, plan);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "evaluators alone: %,d decisions in %.2f s = %,.0f decisions/s (%,d results)%n",
                DECISIONS, seconds, DECISIONS / seconds, results);

        String pipeFeature = feature + "-pipe";
        configure(pipeFeature, "{\"samplingRate\": 1.0, \"maxPerMinute\": 1000000}");
        pipeline(decisions(pipeFeature + "-warm", 5_000), pipeFeature, "warm-up");
        pipeline(decisions(pipeFeature + "-m", DECISIONS), pipeFeature, "consumer path, every decision evaluated");
        String sampledFeature = feature + "-default";
        configure(sampledFeature, "{\"maxPerMinute\": 1000000}");
        pipeline(decisions(sampledFeature + "-m", DECISIONS), sampledFeature, "consumer path, default rate 0.1");
    }

    private long engine(List<DecisionRecord> decisions, EvaluationPlan plan) {
        Instant now = Instant.now();
        return decisions.parallelStream()
                .mapToLong(d -> evaluation
                        .run(d, plan, EvalTrigger.SAMPLED, null, now)
                        .results()
                        .size())
                .sum();
    }

    /**
     * Produces the whole set while the consumer is paused, then lets it run: the figure is the consumer's
     * alone, from its first committed batch to its last (the batches' transaction times), not the producer's.
     */
    private void pipeline(List<DecisionRecord> decisions, String feature, String label) {
        String prefix = decisions
                .get(0)
                .decisionId()
                .substring(0, decisions.get(0).decisionId().lastIndexOf('-'));
        // with concurrency the channel's consumers are decisions-in$1, $2…
        List<KafkaConsumer<Object, Object>> consumers = kafka.getConsumerChannels().stream()
                .filter(name ->
                        name.equals(DecisionConsumer.CHANNEL) || name.startsWith(DecisionConsumer.CHANNEL + "$"))
                .map(name -> kafka.<Object, Object>getConsumer(name))
                .toList();
        consumers.forEach(c -> c.pause().await().atMost(Duration.ofSeconds(30)));
        send(decisions);
        long started = System.nanoTime();
        consumers.forEach(c -> c.resume().await().atMost(Duration.ofSeconds(30)));
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long done = 0;
        while (done < decisions.size() && System.nanoTime() < deadline) {
            sleep();
            done = count(
                    pool,
                    "select count(*) from evals.decisions where project_id = $1 and decision_id like $2",
                    project(),
                    prefix + "-%");
            System.out.printf(
                    "  %s: %,d of %,d kept after %.1f s%n",
                    label, done, decisions.size(), (System.nanoTime() - started) / 1e9);
        }
        var span = query(pool, """
                select extract(epoch from max(received_at) - min(received_at)) as seconds, count(*) as n
                from evals.decisions where project_id = $1 and decision_id like $2""", project(), prefix + "-%").iterator().next();
        long results = count(
                pool,
                "select count(*) from evals.results where project_id = $1 and decision_id like $2",
                project(),
                prefix + "-%");
        var size = query(pool, """
                select coalesce(avg(pg_column_size(r.*)), 0)::float8 as row_bytes,
                       pg_total_relation_size('evals.results')::float8
                           / (select greatest(count(*), 1) from evals.results) as bytes
                from evals.results r where project_id = $1 and decision_id like $2""", project(), prefix + "-%").iterator();
        if (size.hasNext()) {
            var row = size.next();
            System.out.printf(
                    "  %s: results rows %,.0f bytes each; evals.results (all runs so far, indexes and TOAST) %,.0f bytes per row%n",
                    label, row.getDouble("row_bytes"), row.getDouble("bytes"));
        }
        double seconds = span.getNumeric("seconds").doubleValue();
        double wall = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "%s: %,d decisions kept, sampled, evaluated, stored and published, %,d results; first to last "
                        + "batch %.2f s = %,.0f decisions/s (wall clock from resume %.2f s = %,.0f decisions/s)%n",
                label, span.getLong("n"), results, seconds, decisions.size() / seconds, wall, decisions.size() / wall);
    }

    /** Realistic outputs: a quarter structured (json_valid applies), some with an email, some refusals. */
    private static List<DecisionRecord> decisions(String prefix, int n) {
        List<DecisionRecord> out = new ArrayList<>(n);
        Instant at = Instant.now();
        for (int i = 0; i < n; i++) {
            String text = switch (i % 8) {
                case 0 -> "I'm sorry, but I can't help with that request.";
                case 1 -> "Please write to support at help@example.com and include your order number 4471-2231.";
                default ->
                    "Refunds are accepted within 30 days of purchase when the item is unused. The refund goes "
                            + "back to the original payment method within 5 to 10 business days; store credit is immediate.";
            };
            DecisionRecord d = decision(
                    project(),
                    prefix.substring(0, prefix.lastIndexOf('-')),
                    prefix + "-" + i,
                    text,
                    Outcome.SUCCESS,
                    at);
            if (i % 4 == 3) {
                d = new DecisionRecord(
                        d.schemaVersion(),
                        d.projectId(),
                        d.decisionId(),
                        d.traceId(),
                        d.feature(),
                        d.input(),
                        d.inputHash(),
                        d.retrievalResults(),
                        d.promptTemplate(),
                        d.promptVersion(),
                        d.model(),
                        "{\"answer\": \"30 days\"}",
                        d.outputHash(),
                        JsonNodeFactory.instance.objectNode().put("answer", "30 days"),
                        null,
                        Map.of(),
                        d.status(),
                        d.errorType(),
                        d.costUsd(),
                        d.latencyMs(),
                        d.occurredAt(),
                        d.metadata());
            }
            out.add(d);
        }
        return out;
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
