package dev.loupe.evals.feedback;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.evals.results.EvalPublisher;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The safety net of the parking rule: when a feedback and its decision are consumed at the same moment, each
 * transaction may miss the other, and the feedback would stay parked with its decision kept. This job finds such
 * pairs and acts on them ({@code loupe.evals.parked-feedback-interval}); acting is idempotent, so two replicas
 * doing it at once store nothing twice.
 */
@Singleton
public class ParkedFeedback {
    private static final Logger LOG = Logger.getLogger(ParkedFeedback.class);
    static final int BATCH = 500;
    private static final String FIND = """
            select f.record::text as feedback, d.record::text as decision
            from evals.feedback_received f
            join evals.decisions d on d.project_id = f.project_id and d.decision_id = f.decision_id
            where f.acted_at is null and f.received_at <= $1
            order by f.received_at
            limit $2""";

    private final Pool pool;
    private final FeedbackLoop loop;
    private final EvalPublisher publisher;
    private final Clock clock;

    public ParkedFeedback(Pool pool, FeedbackLoop loop, EvalPublisher publisher, Clock clock) {
        this.pool = pool;
        this.loop = loop;
        this.publisher = publisher;
        this.clock = clock;
    }

    @Scheduled(
            every = "${loupe.evals.parked-feedback-interval:30s}",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep().invoke(n -> {
                    if (n > 0) {
                        LOG.infof("acted on %d feedback whose decision arrived while it was being recorded", n);
                    }
                })
                .replaceWithVoid();
    }

    /** Acts on parked feedback whose decision is kept; returns how many. */
    public Uni<Integer> sweep() {
        Instant now = clock.instant();
        return pool.preparedQuery(FIND)
                .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), BATCH))
                .map(rows -> {
                    List<FeedbackLoop.Linked> linked = new ArrayList<>();
                    for (Row row : rows) {
                        linked.add(new FeedbackLoop.Linked(
                                EventJson.decode(row.getString("feedback"), FeedbackRecord.class),
                                EventJson.decode(row.getString("decision"), DecisionRecord.class)));
                    }
                    return linked;
                })
                .chain(linked -> linked.isEmpty()
                        ? Uni.createFrom().item(0)
                        : loop.prepare(linked, now)
                                .chain(prepared ->
                                        pool.withTransaction(connection -> loop.write(connection, prepared, now)))
                                .chain(publisher::publishUntilAcknowledged)
                                .replaceWith(linked.size()));
    }
}
