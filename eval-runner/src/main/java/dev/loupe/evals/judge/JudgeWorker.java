package dev.loupe.evals.judge;

import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.evals.results.EvalPublisher;
import dev.loupe.evals.results.EvalResults;
import dev.loupe.evals.results.ResultStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Works off the judge queue, apart from the decision consumer so a slow or absent judge never holds up the
 * deterministic evaluators. Each poll claims what the per-minute budget allows, asks the judge with bounded
 * concurrency, stores and publishes each score with the judge's token cost. An unreachable judge moves the
 * job's due time back (doubling, up to {@code max-retry-delay}): the evaluation is delayed, never lost and
 * never scored as a failure.
 */
@Singleton
public class JudgeWorker {
    private static final Logger LOG = Logger.getLogger(JudgeWorker.class);
    static final int MAX_MALFORMED_RUNS = 3;
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private final JudgeQueue queue;
    private final JudgeClient client;
    private final JudgeBudget budget;
    private final JudgeConfig config;
    private final EvalResults results;
    private final ResultStore store;
    private final EvalPublisher publisher;
    private final Pool pool;
    private final Clock clock;
    private final MeterRegistry registry;
    private final AtomicLong queued = new AtomicLong();

    public JudgeWorker(
            JudgeQueue queue,
            JudgeClient client,
            JudgeBudget budget,
            JudgeConfig config,
            EvalResults results,
            ResultStore store,
            EvalPublisher publisher,
            Pool pool,
            Clock clock,
            MeterRegistry registry) {
        this.queue = queue;
        this.client = client;
        this.budget = budget;
        this.config = config;
        this.results = results;
        this.store = store;
        this.publisher = publisher;
        this.pool = pool;
        this.clock = clock;
        this.registry = registry;
        registry.gauge("loupe.evals.judge.queue.depth", queued);
    }

    void announce(@Observes StartupEvent start) {
        if (!client.configured()) {
            LOG.warn("loupe.judge.base-url is not set: llm_judge evaluations are queued and wait until it is");
        }
    }

    @Scheduled(
            every = "${loupe.judge.poll-interval:2s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "5s")
    Uni<Void> poll() {
        return drain(clock.instant()).replaceWithVoid();
    }

    /** One pass over the queue as of {@code now}; returns how many jobs got a score. Tests drive time through it. */
    public Uni<Integer> drain(Instant now) {
        Uni<Void> recovered = queue.unpublished(now, config.batchSize()).chain(this::republish);
        if (!client.configured()) {
            return recovered.chain(this::measure).replaceWith(0);
        }
        // claim no more than this minute's budget can judge (each call takes from it as it starts)
        int wanted = Math.min(config.batchSize(), budget.remaining(now));
        if (wanted == 0) {
            return recovered.chain(this::measure).replaceWith(0);
        }
        return recovered
                .chain(() -> queue.claim(now, wanted, config.lease()))
                .chain(claimed -> claimed.isEmpty()
                        ? Uni.createFrom().item(0)
                        : Multi.createFrom()
                                .iterable(claimed)
                                .onItem()
                                .transformToUni(job -> run(job, now))
                                .merge(Math.max(1, config.maxConcurrency()))
                                .collect()
                                .asList()
                                .map(outcomes -> (int) outcomes.stream()
                                        .filter(Boolean::booleanValue)
                                        .count()))
                .call(this::measure);
    }

    private Uni<Boolean> run(JudgeQueue.Claimed job, Instant now) {
        if (job.decision() == null) {
            return queue.end(job, "abandoned", "the decision is no longer kept (retention)", now)
                    .replaceWith(false);
        }
        return client.judge(job.decision(), job.check(), job.reference())
                .chain(verdict -> record(job, verdict, now).replaceWith(true))
                .onFailure(JudgeUnavailableException.class)
                .recoverWithUni(e -> {
                    count("unavailable");
                    Instant due = now.plus(delay(job.attempts()));
                    LOG.warnf(
                            "judge unavailable for decision %s (attempt %d): %s; trying again at %s",
                            job.decisionId(), job.attempts(), e.getMessage(), due);
                    return queue.retryAt(job, due, e.getMessage(), false, now).replaceWith(false);
                })
                .onFailure(MalformedJudgeAnswerException.class)
                .recoverWithUni(e -> {
                    count("malformed");
                    if (job.malformedRuns() + 1 >= MAX_MALFORMED_RUNS) {
                        LOG.errorf(
                                "judge kept answering malformed JSON for decision %s; giving up: %s",
                                job.decisionId(), e.getMessage());
                        return queue.end(job, "unparseable", e.getMessage(), now)
                                .replaceWith(false);
                    }
                    return queue.retryAt(job, now.plus(delay(job.attempts())), e.getMessage(), true, now)
                            .replaceWith(false);
                })
                // anything else (a database error, a bug) must not cancel the other calls of this poll
                .onFailure()
                .recoverWithUni(e -> {
                    LOG.errorf(
                            e, "judge job for decision %s failed unexpectedly; trying again later", job.decisionId());
                    return queue.retryAt(job, now.plus(delay(job.attempts())), e.toString(), false, now)
                            .onFailure()
                            .recoverWithNull()
                            .replaceWith(false);
                });
    }

    private Uni<Void> record(JudgeQueue.Claimed job, JudgeVerdict verdict, Instant now) {
        count("scored");
        EvalResult result = results.result(
                job.decision(),
                LlmJudgeEvaluator.NAME,
                job.evaluatorVersion(),
                verdict.score(),
                job.threshold(),
                verdict.reason(),
                job.trigger(),
                now);
        ResultStore.JudgeUsage usage = usage(verdict);
        return pool.withTransaction(connection -> store.store(
                                connection, List.of(result), List.of(usage), job.trigger() == EvalTrigger.MANUAL)
                        .call(() -> queue.scored(connection, job, now)))
                .chain(stored -> publisher.publish(stored))
                .chain(() -> queue.done(job.projectId(), job.decisionId(), job.evaluatorVersion(), job.trigger()))
                // not acknowledged: the job stays 'scored' and a later poll publishes the stored result
                .onFailure(e -> !(e instanceof JudgeUnavailableException))
                .recoverWithItem(e -> {
                    LOG.warnf(
                            "judge result for decision %s is stored; publishing it failed (%s), it will be retried",
                            job.decisionId(), e.toString());
                    return null;
                });
    }

    /** The judge's tokens and their cost at the configured prices; counted in Prometheus too. */
    public ResultStore.JudgeUsage usage(JudgeVerdict verdict) {
        BigDecimal cost = null;
        if (verdict.inputTokens() != null || verdict.outputTokens() != null) {
            long in = verdict.inputTokens() == null ? 0 : verdict.inputTokens();
            long out = verdict.outputTokens() == null ? 0 : verdict.outputTokens();
            cost = config.inputUsdPerMillionTokens()
                    .multiply(BigDecimal.valueOf(in))
                    .add(config.outputUsdPerMillionTokens().multiply(BigDecimal.valueOf(out)))
                    .divide(MILLION, 8, RoundingMode.HALF_UP);
            registry.counter("loupe.evals.judge.tokens", "direction", "input").increment(in);
            registry.counter("loupe.evals.judge.tokens", "direction", "output").increment(out);
            registry.counter("loupe.evals.judge.cost.usd").increment(cost.doubleValue());
        }
        return new ResultStore.JudgeUsage(verdict.inputTokens(), verdict.outputTokens(), cost);
    }

    private Uni<Void> republish(List<EvalResult> stored) {
        if (stored.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        LOG.infof("publishing %d judge results stored before an interruption", stored.size());
        return Multi.createFrom()
                .iterable(stored)
                .onItem()
                .transformToUniAndConcatenate(r -> publisher
                        .publish(List.of(r))
                        .chain(() -> queue.done(r.projectId(), r.decisionId(), r.evaluatorVersion(), r.trigger())))
                .collect()
                .last()
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.warnf("republishing judge results failed (%s); next poll tries again", e.toString());
                    return null;
                });
    }

    private Uni<Void> measure() {
        return queue.depth().invoke(queued::set).replaceWithVoid().onFailure().recoverWithNull();
    }

    Duration delay(int attempts) {
        long factor = 1L << Math.min(20, Math.max(0, attempts - 1));
        Duration delay = config.retryDelay().multipliedBy(factor);
        return delay.compareTo(config.maxRetryDelay()) > 0 ? config.maxRetryDelay() : delay;
    }

    private void count(String outcome) {
        registry.counter("loupe.evals.judge.calls", "outcome", outcome).increment();
    }
}
