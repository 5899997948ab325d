package dev.loupe.alerting.dispatch;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.loupe.alerting.notify.AlertSnapshot;
import dev.loupe.alerting.notify.ReceiverConfig;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Reads what the dispatcher needs for one project and records what it sent. */
@Singleton
public class DispatchStore {
    private static final String ALERTS = """
            select fingerprint, rule_id, state, labels::text as labels, summary, severity, owner, runbook_url, value,
                   threshold, baseline, pending_since, last_window_end, acknowledged_by
            from alerting.alerts a where project_id = $1 and (state = 'firing' or (state in ('resolved', 'pending') and exists (
                select 1 from alerting.notification_groups g
                where g.project_id = a.project_id and a.fingerprint = any(g.sent_firing))))""";
    private static final String SAVE_GROUP = """
            insert into alerting.notification_groups (project_id, receiver, group_key, first_seen_at, last_sent_at,
                sent_firing, sent_acked, next_attempt_at, attempts, last_error)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            on conflict (project_id, receiver, group_key) do update set last_sent_at = excluded.last_sent_at,
                sent_firing = excluded.sent_firing, sent_acked = excluded.sent_acked,
                next_attempt_at = excluded.next_attempt_at, attempts = excluded.attempts, last_error = excluded.last_error""";
    private static final TypeReference<Route> ROUTE = new TypeReference<>() {};

    /** One project's state for a dispatch pass. */
    public record Context(
            Route routes,
            List<Silence> silences,
            Map<String, ReceiverConfig> receivers,
            List<AlertSnapshot> alerts,
            Map<String, NotificationGroup> groups) {}

    private final Pool pool;

    public DispatchStore(Pool pool) {
        this.pool = pool;
    }

    /** Projects with something to notify: a firing alert, or a group not yet told everything resolved. */
    public Uni<List<String>> projects() {
        return pool.query("""
                        select project_id from alerting.alerts where state = 'firing'
                        union select project_id from alerting.notification_groups""").execute().map(rows -> {
            List<String> projects = new ArrayList<>();
            rows.forEach(row -> projects.add(row.getString(0)));
            return projects;
        });
    }

    public Uni<Context> load(String projectId, Instant now, String externalUrl) {
        Tuple project = Tuple.of(projectId);
        Uni<Route> routes = pool.preparedQuery("select tree::text from alerting.routes where project_id = $1")
                .execute(project)
                .map(rows ->
                        rows.iterator().hasNext() ? read(rows.iterator().next().getString(0), ROUTE) : Route.DEFAULT);
        Uni<List<Silence>> silences = pool.preparedQuery("""
                        select id::text as id, matchers::text as matchers, starts_at, ends_at, created_by, comment
                        from alerting.silences where project_id = $1 and starts_at <= $2 and ends_at > $2""")
                .execute(Tuple.of(projectId, now.atOffset(ZoneOffset.UTC)))
                .map(DispatchStore::silences);
        Uni<Map<String, ReceiverConfig>> receivers = pool.preparedQuery(
                        "select name, type, settings::text as settings from alerting.receivers where project_id = $1")
                .execute(project)
                .map(rows -> {
                    Map<String, ReceiverConfig> found = new HashMap<>();
                    rows.forEach(row -> found.put(
                            row.getString("name"),
                            new ReceiverConfig(
                                    projectId,
                                    row.getString("name"),
                                    row.getString("type"),
                                    readTree(row.getString("settings")))));
                    return found;
                });
        Uni<List<AlertSnapshot>> alerts = pool.preparedQuery(ALERTS)
                .execute(project)
                .map(rows -> {
                    List<AlertSnapshot> found = new ArrayList<>();
                    rows.forEach(row -> found.add(snapshot(row, externalUrl)));
                    return found;
                });
        Uni<Map<String, NotificationGroup>> groups = pool.preparedQuery("""
                        select receiver, group_key, first_seen_at, last_sent_at, sent_firing, sent_acked,
                               next_attempt_at, attempts
                        from alerting.notification_groups where project_id = $1""")
                .execute(project)
                .map(rows -> {
                    Map<String, NotificationGroup> found = new HashMap<>();
                    rows.forEach(row -> found.put(
                            DispatchDecision.groupId(row.getString("receiver"), row.getString("group_key")),
                            new NotificationGroup(
                                    row.getString("receiver"),
                                    row.getString("group_key"),
                                    instant(row, "first_seen_at"),
                                    instant(row, "last_sent_at"),
                                    set(row.getArrayOfStrings("sent_firing")),
                                    set(row.getArrayOfStrings("sent_acked")),
                                    instant(row, "next_attempt_at"),
                                    row.getInteger("attempts"))));
                    return found;
                });
        return Uni.combine()
                .all()
                .unis(routes, silences, receivers, alerts, groups)
                .asTuple()
                .map(t -> new Context(t.getItem1(), t.getItem2(), t.getItem3(), t.getItem4(), t.getItem5()));
    }

    /** Records what a group was last told; on the dispatcher's fenced connection ({@link DispatchLease#fenced}). */
    public Uni<Void> save(SqlConnection connection, String projectId, NotificationGroup group, String lastError) {
        return connection
                .preparedQuery(SAVE_GROUP)
                .execute(Tuple.from(new Object[] {
                    projectId,
                    group.receiver(),
                    group.groupKey(),
                    time(group.firstSeenAt()),
                    time(group.lastSentAt()),
                    group.sentFiring().toArray(String[]::new),
                    group.sentAcked().toArray(String[]::new),
                    time(group.nextAttemptAt()),
                    group.attempts(),
                    lastError
                }))
                .replaceWithVoid();
    }

    /** Everything in the group is resolved and the receiver was told: the group is done. */
    public Uni<Void> forget(SqlConnection connection, String projectId, NotificationGroup group) {
        return connection
                .preparedQuery("delete from alerting.notification_groups where project_id = $1 and receiver = $2 "
                        + "and group_key = $3")
                .execute(Tuple.of(projectId, group.receiver(), group.groupKey()))
                .replaceWithVoid();
    }

    public Uni<Void> log(
            SqlConnection connection,
            String projectId,
            String receiver,
            String groupKey,
            String action,
            String status,
            int alerts,
            String outcome,
            String detail,
            Instant at) {
        return connection
                .preparedQuery("""
                        insert into alerting.notification_log (project_id, receiver, group_key, action, status, alert_count,
                            outcome, detail, sent_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                .execute(Tuple.from(
                        new Object[] {projectId, receiver, groupKey, action, status, alerts, outcome, detail, time(at)
                        }))
                .replaceWithVoid();
    }

    static AlertSnapshot snapshot(Row row, String externalUrl) {
        Map<String, String> labels = new TreeMap<>();
        new JsonObject(row.getString("labels")).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        String state = row.getString("state");
        // a notified alert that resolved and is pending again has, for its receivers, resolved
        boolean resolved = !"firing".equals(state);
        Map<String, String> annotations = new TreeMap<>();
        annotations.put("summary", row.getString("summary"));
        annotations.put("runbookUrl", row.getString("runbook_url"));
        annotations.put("owner", row.getString("owner"));
        return new AlertSnapshot(
                row.getString("fingerprint"),
                row.getString("rule_id"),
                resolved ? AlertSnapshot.RESOLVED : AlertSnapshot.FIRING,
                labels,
                annotations,
                instant(row, "pending_since") != null ? instant(row, "pending_since") : instant(row, "last_window_end"),
                resolved ? instant(row, "last_window_end") : null,
                externalUrl.replaceAll("/+$", "") + "/alerts/" + row.getString("fingerprint"),
                row.getString("severity"),
                row.getString("owner"),
                row.getString("runbook_url"),
                row.getString("summary"),
                row.getDouble("value"),
                row.getDouble("threshold"),
                row.getDouble("baseline"),
                row.getString("acknowledged_by"));
    }

    private static List<Silence> silences(Iterable<Row> rows) {
        List<Silence> found = new ArrayList<>();
        for (Row row : rows) {
            found.add(new Silence(
                    row.getString("id"),
                    read(row.getString("matchers"), new TypeReference<>() {}),
                    instant(row, "starts_at"),
                    instant(row, "ends_at"),
                    row.getString("created_by"),
                    row.getString("comment")));
        }
        return found;
    }

    private static Set<String> set(String[] values) {
        return values == null ? Set.of() : new HashSet<>(List.of(values));
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return EventJson.mapper().readValue(json, type);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable stored routing data: " + e.getMessage(), e);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
