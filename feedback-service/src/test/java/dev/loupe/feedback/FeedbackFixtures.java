package dev.loupe.feedback;

import static org.awaitility.Awaitility.await;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.Topics;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.testing.TopicReader;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Direct access to {@code feedback.feedback} and the topic, to check what the service really stored and sent. */
public final class FeedbackFixtures {
    private static final Duration DB = Duration.ofSeconds(10);

    private FeedbackFixtures() {}

    public static String decisionId() {
        return "d-" + UUID.randomUUID();
    }

    /** Inserts a row as if the service had stored it and never published it (a crash, an outage). */
    public static String insertUnpublished(Pool pool, String projectId, String decisionId, String leaseUntilSql) {
        String id = UUID.randomUUID().toString();
        pool.preparedQuery(
                        "insert into feedback.feedback (id, project_id, decision_id, signal, correction, occurred_at, "
                                + "received_at, lease_until) values ($1, $2, $3, 'INCORRECT', 'left behind', now(), "
                                + "now() - interval '1 minute', " + leaseUntilSql + ")")
                .execute(Tuple.of(id, projectId, decisionId))
                .await()
                .atMost(DB);
        return id;
    }

    public static RowSet<Row> query(Pool pool, String sql, Object... args) {
        return pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(DB);
    }

    public static Row row(Pool pool, String id) {
        return query(pool, "select * from feedback.feedback where id = $1", id)
                .iterator()
                .next();
    }

    public static long count(Pool pool, String where, Object... args) {
        return query(pool, "select count(*) from feedback.feedback where " + where, args)
                .iterator()
                .next()
                .getLong(0);
    }

    public static OffsetDateTime awaitPublishedAt(Pool pool, String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> row(pool, id).getOffsetDateTime("published_at") != null);
        return row(pool, id).getOffsetDateTime("published_at");
    }

    /** Every record on the feedback topic with this feedback id (after it was marked published, all are there). */
    public static List<FeedbackRecord> published(String feedbackId) {
        List<FeedbackRecord> found = new ArrayList<>();
        TopicReader.readAll(Topics.FEEDBACK).forEach(r -> {
            FeedbackRecord record = EventJson.decode(r.value(), FeedbackRecord.class);
            if (record.feedbackId().equals(feedbackId)) {
                found.add(record);
            }
        });
        return found;
    }

    /** Raw payloads on the feedback topic keyed by this decision. */
    public static List<String> payloads(String decisionId) {
        return TopicReader.readAll(Topics.FEEDBACK).stream()
                .filter(r -> decisionId.equals(r.key()))
                .map(r -> r.value())
                .toList();
    }
}
