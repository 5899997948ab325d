package dev.loupe.aggregator.explore;

import dev.loupe.aggregator.query.QueryParams;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Users of the caller's project. User ids arrive hashed (the collector keeps only an HMAC of them), so a user is shown
 * by that hash and by the display label the app may send as span metadata {@code userLabel} (redacted like any
 * metadata value). {@code GET /v1/users} lists them by latest activity (keyset-paged); {@code GET /v1/users/{id}}
 * gives one user's spend, calls, sessions, feedback signals and the alerts whose labels name the user.
 */
@Path("/v1/users")
public class UserResource {
    static final int MAX_LIMIT = 200;

    /** Sums over the user's traces in the range; {@code u.user_id} is the user, $1..$3 project and range. */
    private static final String SUMS = """
            select coalesce(sum(sp.cost_usd), 0) as cost_usd, coalesce(sum(sp.input_tokens), 0) as input_tokens,
                   coalesce(sum(sp.output_tokens), 0) as output_tokens, count(*) filter (where sp.kind = 'LLM') as calls,
                   count(distinct sp.trace_id) filter (where sp.status = 'ERROR') as error_traces,
                   coalesce(array_agg(distinct sp.decision_id) filter (where sp.decision_id is not null), '{}')
                       as decisions,
                   (array_agg(sp.metadata->>'userLabel' order by sp.start_time desc)
                       filter (where sp.metadata ? 'userLabel'))[1] as label
            from telemetry.trace_features t2 join telemetry.spans sp on sp.project_id = t2.project_id
                and sp.trace_id = t2.trace_id
            where t2.project_id = $1 and t2.user_id = u.user_id and t2.trace_time >= $2 and t2.trace_time < $3""";

    private static final String FEEDBACK = "coalesce((select jsonb_object_agg(signal, n)::text from (select fb.signal,"
            + " count(*) as n from telemetry.feedback fb where fb.project_id = $1 and fb.decision_id = any(a.decisions)"
            + " group by fb.signal) f), '{}') as feedback";

    private final Pool pool;
    private final Caller caller;
    private final Clock clock;

    public UserResource(Pool pool, Caller caller, Clock clock) {
        this.pool = pool;
        this.caller = caller;
        this.clock = clock;
    }

    @RegisterForReflection
    public record UserSummary(
            String userId,
            String label,
            long traces,
            long sessions,
            Instant lastAt,
            long calls,
            long inputTokens,
            long outputTokens,
            BigDecimal costUsd,
            long errorTraces,
            Map<String, Long> feedback) {}

    @RegisterForReflection
    public record Page(List<UserSummary> users, String nextCursor) {}

    @RegisterForReflection
    public record Alert(
            String fingerprint, String ruleId, String state, String severity, String summary, Instant changedAt) {}

    @RegisterForReflection
    public record UserView(UserSummary user, List<Alert> alerts) {}

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Page> list(
            @QueryParam("from") String fromParam,
            @QueryParam("to") String toParam,
            @QueryParam("cursor") String cursorParam,
            @QueryParam("limit") String limitParam) {
        Range range = Range.parse(fromParam, toParam, clock.instant(), Duration.ofDays(1));
        TraceCursor cursor = TraceCursor.decode("cursor", cursorParam);
        int limit = QueryParams.limit(limitParam, 50, MAX_LIMIT);
        Tuple args = Tuple.of(caller.projectId(), range.fromUtc(), range.toUtc());
        String having = "";
        if (cursor != null) {
            args.addValue(cursor.time().atOffset(ZoneOffset.UTC));
            args.addValue(cursor.id());
            having = " having (max(tf.trace_time), tf.user_id) < ($4, $5)";
        }
        args.addValue(limit + 1);
        return pool.preparedQuery(users("", having, "$" + args.size()))
                .execute(args)
                .map(rows -> {
                    List<UserSummary> users = new ArrayList<>();
                    for (Row r : rows) {
                        users.add(summary(r));
                    }
                    var page = TraceCursor.cut(users, limit, u -> new TraceCursor(u.lastAt(), u.userId()));
                    return new Page(page.rows(), page.next());
                });
    }

    @GET
    @Path("/{userId}")
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<UserView> user(
            @PathParam("userId") String userId,
            @QueryParam("from") String fromParam,
            @QueryParam("to") String toParam) {
        Range.text("userId", userId);
        Range range = Range.parse(fromParam, toParam, clock.instant(), Duration.ofDays(30));
        Tuple args = Tuple.of(caller.projectId(), range.fromUtc(), range.toUtc(), userId);
        return pool.preparedQuery(users(" and tf.user_id = $4", "", "1"))
                .execute(args)
                .chain(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("no user " + userId + " in this project and range");
                    }
                    UserSummary user = summary(rows.iterator().next());
                    // the latest state of every alert whose labels name this user
                    return pool.preparedQuery("select distinct on (fingerprint) fingerprint, rule_id, state, severity,"
                                    + " record->>'summary' as summary, changed_at from telemetry.alert_events"
                                    + " where project_id = $1 and changed_at >= $2 and changed_at < $3"
                                    + " and record->'labels'->>'user' = $4"
                                    + " order by fingerprint, changed_at desc")
                            .execute(args)
                            .map(alerts -> {
                                List<Alert> out = new ArrayList<>();
                                for (Row a : alerts) {
                                    out.add(new Alert(
                                            a.getString("fingerprint"),
                                            a.getString("rule_id"),
                                            a.getString("state"),
                                            a.getString("severity"),
                                            a.getString("summary"),
                                            a.getOffsetDateTime("changed_at").toInstant()));
                                }
                                out.sort((x, y) -> y.changedAt().compareTo(x.changedAt()));
                                return new UserView(user, out);
                            });
                });
    }

    private static String users(String where, String having, String limit) {
        return "with u as (select tf.user_id, count(*) as traces, count(distinct tf.session_id) as sessions,"
                + " max(tf.trace_time) as last_at"
                + " from telemetry.trace_features tf where tf.project_id = $1 and tf.user_id is not null"
                + " and tf.trace_time >= $2 and tf.trace_time < $3" + where + " group by tf.user_id" + having
                + " order by last_at desc, tf.user_id desc limit " + limit + ")"
                + " select u.*, a.*, " + FEEDBACK + " from u cross join lateral (" + SUMS
                + ") a order by u.last_at desc, u.user_id desc";
    }

    private static UserSummary summary(Row r) {
        Map<String, Long> feedback = new LinkedHashMap<>();
        io.vertx.core.json.JsonObject counts = new io.vertx.core.json.JsonObject(r.getString("feedback"));
        counts.fieldNames().stream().sorted().forEach(k -> feedback.put(k, counts.getLong(k)));
        return new UserSummary(
                r.getString("user_id"),
                r.getString("label"),
                r.getLong("traces"),
                r.getLong("sessions"),
                r.getOffsetDateTime("last_at").toInstant(),
                r.getLong("calls"),
                r.getLong("input_tokens"),
                r.getLong("output_tokens"),
                r.getBigDecimal("cost_usd"),
                r.getLong("error_traces"),
                feedback);
    }
}
