package dev.loupe.evals.intake;

import dev.loupe.common.kafka.BatchIntake;
import dev.loupe.common.kafka.ConsumerFaults;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.evals.feedback.FeedbackLinks;
import dev.loupe.evals.feedback.FeedbackLoop;
import dev.loupe.evals.results.EvalPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code loupe.feedback.v1} a poll at a time. Every feedback is recorded in
 * {@code evals.feedback_received}; feedback whose decision is kept is acted on in the same transaction (the
 * {@link FeedbackLoop}: re-evaluation, regression case), the rest is parked until its decision arrives. The
 * results are published after the commit and the offsets committed after that, so a crash in between
 * republishes the same results.
 */
@ApplicationScoped
public class FeedbackConsumer {
    public static final String CHANNEL = "feedback-in";
    private static final String RECORD = """
            insert into evals.feedback_received (project_id, feedback_id, decision_id, signal, occurred_at, record)
            select project_id, feedback_id, decision_id, signal, occurred_at, record::jsonb
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
                 as u(project_id, feedback_id, decision_id, signal, occurred_at, record)
            on conflict (project_id, feedback_id) do nothing""";

    private final ConsumerFaults faults;
    private final BatchIntake intake;
    private final Pool pool;
    private final FeedbackLinks links;
    private final FeedbackLoop loop;
    private final EvalPublisher publisher;
    private final Clock clock;
    private final MeterRegistry registry;

    public FeedbackConsumer(
            ConsumerFaults faults,
            BatchIntake intake,
            Pool pool,
            FeedbackLinks links,
            FeedbackLoop loop,
            EvalPublisher publisher,
            Clock clock,
            MeterRegistry registry) {
        this.faults = faults;
        this.intake = intake;
        this.pool = pool;
        this.links = links;
        this.loop = loop;
        this.publisher = publisher;
        this.clock = clock;
        this.registry = registry;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(ConsumerRecords<String, String> batch) {
        return faults.hold(
                CHANNEL,
                () -> intake.take(
                                batch,
                                FeedbackRecord.class,
                                f -> f.projectId() != null
                                        && f.feedbackId() != null
                                        && f.decisionId() != null
                                        && f.signal() != null
                                        && f.occurredAt() != null,
                                (feedback, partitions) -> process(feedback))
                        .chain(stored -> publisher.publishUntilAcknowledged(stored.stream()
                                .flatMap(List<EvalResult>::stream)
                                .toList())));
    }

    /** Records, links and acts on one poll's feedback; returns the results to publish. */
    public Uni<List<EvalResult>> process(List<FeedbackRecord> feedback) {
        Instant now = clock.instant();
        return links.withDecisions(pool, feedback)
                .chain(linked -> loop.prepare(linked, now))
                .chain(prepared -> pool.withTransaction(
                        connection -> record(connection, feedback).chain(() -> loop.write(connection, prepared, now))))
                .invoke(() -> feedback.forEach(f -> registry.counter(
                                "loupe.evals.feedback.received",
                                "signal",
                                f.signal().name().toLowerCase(Locale.ROOT))
                        .increment()));
    }

    private Uni<Void> record(SqlConnection connection, List<FeedbackRecord> feedback) {
        int n = feedback.size();
        String[] projects = new String[n], ids = new String[n], decisions = new String[n], signals = new String[n];
        String[] records = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            FeedbackRecord f = feedback.get(i);
            projects[i] = f.projectId();
            ids[i] = f.feedbackId();
            decisions[i] = f.decisionId();
            signals[i] = f.signal().name();
            times[i] = f.occurredAt().atOffset(ZoneOffset.UTC);
            records[i] = dev.loupe.contracts.json.EventJson.encode(f);
        }
        return connection
                .preparedQuery(RECORD)
                .execute(Tuple.of(projects, ids, decisions, signals, times, records))
                .replaceWithVoid();
    }
}
