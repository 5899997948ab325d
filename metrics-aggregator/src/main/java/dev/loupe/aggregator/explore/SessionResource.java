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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Sessions of the caller's project: {@code GET /v1/sessions} lists them (latest activity first, keyset-paged) with
 * their turns (traces), tokens, cost, turns with an error and the feedback on their decisions; {@code GET
 * /v1/sessions/{id}} replays one: its turns in order, each with its input and answer (the decision's, else the first
 * prompt and the last completion of the trace), its evaluations and feedback. A trace belongs to the session its
 * first span with a session named ({@code telemetry.trace_features}, V11 index by session).
 */
@Path("/v1/sessions")
public class SessionResource {
    static final int MAX_LIMIT = 200;
    static final int MAX_TURNS = 500;

    private static final String SUMS = """
            select count(*) as spans, coalesce(sum(sp.input_tokens), 0) as input_tokens,
                   coalesce(sum(sp.output_tokens), 0) as output_tokens, coalesce(sum(sp.cost_usd), 0) as cost_usd,
                   count(distinct sp.trace_id) filter (where sp.status = 'ERROR') as error_turns,
                   coalesce(array_agg(distinct sp.decision_id) filter (where sp.decision_id is not null), '{}')
                       as decisions""";

    private final Pool pool;
    private final Caller caller;
    private final Clock clock;

    public SessionResource(Pool pool, Caller caller, Clock clock) {
        this.pool = pool;
        this.caller = caller;
        this.clock = clock;
    }

    @RegisterForReflection
    public record SessionSummary(
            String sessionId,
            String userId,
            int turns,
            Instant firstAt,
            Instant lastAt,
            long spans,
            long inputTokens,
            long outputTokens,
            BigDecimal costUsd,
            long errorTurns,
            List<String> feedback) {}

    @RegisterForReflection
    public record Page(List<SessionSummary> sessions, String nextCursor) {}

    @RegisterForReflection
    public record Eval(String evaluator, double score, boolean passed) {}

    @RegisterForReflection
    public record Turn(
            String traceId,
            Instant startTime,
            String rootName,
            String feature,
            String input,
            String output,
            String status,
            String errorType,
            Long durationMs,
            long inputTokens,
            long outputTokens,
            BigDecimal costUsd,
            String decisionId,
            List<Eval> evals,
            List<String> feedback) {}

    @RegisterForReflection
    public record Replay(String sessionId, String userId, List<Turn> turns, boolean truncated) {}

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Page> list(
            @QueryParam("from") String fromParam,
            @QueryParam("to") String toParam,
            @QueryParam("user") String user,
            @QueryParam("feature") String feature,
            @QueryParam("cursor") String cursorParam,
            @QueryParam("limit") String limitParam) {
        Range range = Range.parse(fromParam, toParam, clock.instant(), Duration.ofDays(1));
        Range.text("user", user);
        Range.text("feature", feature);
        TraceCursor cursor = TraceCursor.decode("cursor", cursorParam);
        int limit = QueryParams.limit(limitParam, 50, MAX_LIMIT);
        Tuple args = Tuple.of(caller.projectId(), range.fromUtc(), range.toUtc());
        StringBuilder where = new StringBuilder();
        if (user != null) {
            args.addValue(user);
            where.append(" and tf.user_id = $").append(args.size());
        }
        if (feature != null) {
            args.addValue(feature);
            where.append(" and tf.feature = $").append(args.size());
        }
        String having = "";
        if (cursor != null) {
            args.addValue(cursor.time().atOffset(ZoneOffset.UTC));
            args.addValue(cursor.id());
            having = " having (max(tf.trace_time), tf.session_id) < ($" + (args.size() - 1) + ", $" + args.size() + ")";
        }
        args.addValue(limit + 1);
        String sql = "with s as (select tf.session_id, count(*) as turns, min(tf.trace_time) as first_at,"
                + " max(tf.trace_time) as last_at,"
                + " (array_agg(tf.user_id order by tf.trace_time desc) filter (where tf.user_id is not null))[1] as user_id"
                + " from telemetry.trace_features tf where tf.project_id = $1 and tf.session_id is not null"
                + " and tf.trace_time >= $2 and tf.trace_time < $3" + where + " group by tf.session_id" + having
                + " order by last_at desc, tf.session_id desc limit $" + args.size() + ")"
                + " select s.*, a.*, coalesce((select array_agg(distinct fb.signal order by fb.signal)"
                + " from telemetry.feedback fb where fb.project_id = $1 and fb.decision_id = any(a.decisions)), '{}')"
                + " as feedback from s cross join lateral (" + SUMS
                + " from telemetry.trace_features tf join telemetry.spans sp on sp.project_id = tf.project_id"
                + " and sp.trace_id = tf.trace_id where tf.project_id = $1 and tf.session_id = s.session_id"
                + " and tf.trace_time >= $2 and tf.trace_time < $3" + where + ") a"
                + " order by s.last_at desc, s.session_id desc";
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<SessionSummary> sessions = new ArrayList<>();
            for (Row r : rows) {
                sessions.add(new SessionSummary(
                        r.getString("session_id"),
                        r.getString("user_id"),
                        r.getLong("turns").intValue(),
                        r.getOffsetDateTime("first_at").toInstant(),
                        r.getOffsetDateTime("last_at").toInstant(),
                        r.getLong("spans"),
                        r.getLong("input_tokens"),
                        r.getLong("output_tokens"),
                        r.getBigDecimal("cost_usd"),
                        r.getLong("error_turns"),
                        Arrays.asList(r.getArrayOfStrings("feedback"))));
            }
            var page = TraceCursor.cut(sessions, limit, s -> new TraceCursor(s.lastAt(), s.sessionId()));
            return new Page(page.rows(), page.next());
        });
    }

    @GET
    @Path("/{sessionId}")
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Replay> replay(
            @PathParam("sessionId") String sessionId,
            @QueryParam("from") String fromParam,
            @QueryParam("to") String toParam) {
        Range.text("sessionId", sessionId);
        Range range = Range.parse(fromParam, toParam, clock.instant(), Duration.ofDays(30));
        String sql = "select tf.trace_id, tf.trace_time, tf.feature, tf.user_id, r.name as root_name,"
                + " r.start_time as root_start, r.latency_ms, a.*, (select sp.error_type from telemetry.spans sp"
                + " where sp.project_id = $1 and sp.trace_id = tf.trace_id and sp.status = 'ERROR'"
                + " order by sp.start_time limit 1) as error_type,"
                + " (select x.prompt from telemetry.spans x where x.project_id = $1 and x.trace_id = tf.trace_id"
                + " and x.prompt is not null order by x.start_time, x.span_id limit 1) as input,"
                + " (select x.completion from telemetry.spans x where x.project_id = $1 and x.trace_id = tf.trace_id"
                + " and x.completion is not null order by x.start_time desc, x.span_id limit 1) as output"
                + " from telemetry.trace_features tf left join lateral (select r.name, r.start_time, r.latency_ms"
                + " from telemetry.spans r where r.project_id = $1 and r.trace_id = tf.trace_id"
                + " and r.parent_span_id is null order by r.start_time limit 1) r on true"
                + " cross join lateral (" + SUMS + " from telemetry.spans sp where sp.project_id = $1"
                + " and sp.trace_id = tf.trace_id) a"
                + " where tf.project_id = $1 and tf.session_id = $2 and tf.trace_time >= $3 and tf.trace_time < $4"
                + " order by tf.trace_time, tf.trace_id limit " + (MAX_TURNS + 1);
        return pool.preparedQuery(sql)
                .execute(Tuple.of(caller.projectId(), sessionId, range.fromUtc(), range.toUtc()))
                .chain(rows -> {
                    List<Row> turns = new ArrayList<>();
                    rows.forEach(turns::add);
                    if (turns.isEmpty()) {
                        throw ProblemException.notFound("no session " + sessionId + " in this project and range");
                    }
                    boolean truncated = turns.size() > MAX_TURNS;
                    List<Row> shown = truncated ? turns.subList(0, MAX_TURNS) : turns;
                    LinkedHashSet<String> decisions = new LinkedHashSet<>();
                    shown.forEach(r -> decisions.addAll(Arrays.asList(r.getArrayOfStrings("decisions"))));
                    return decisionFacts(decisions).map(facts -> {
                        List<Turn> out = new ArrayList<>();
                        String user = null;
                        for (Row r : shown) {
                            user = user != null ? user : r.getString("user_id");
                            out.add(turn(r, facts));
                        }
                        return new Replay(sessionId, user, out, truncated);
                    });
                });
    }

    /** Per decision: its input and output, its sampled evaluations, the feedback signals on it. */
    private record Facts(
            Map<String, String[]> texts, Map<String, List<Eval>> evals, Map<String, List<String>> feedback) {}

    private Uni<Facts> decisionFacts(LinkedHashSet<String> ids) {
        Facts facts = new Facts(new HashMap<>(), new HashMap<>(), new HashMap<>());
        if (ids.isEmpty()) {
            return Uni.createFrom().item(facts);
        }
        Tuple args = Tuple.of(caller.projectId(), ids.toArray(String[]::new));
        return pool.preparedQuery("select decision_id, record->>'input' as input, record->>'output' as output"
                        + " from telemetry.decisions where project_id = $1 and decision_id = any($2)")
                .execute(args)
                .invoke(rows -> rows.forEach(r -> facts.texts()
                        .put(r.getString("decision_id"), new String[] {r.getString("input"), r.getString("output")})))
                .chain(() -> pool.preparedQuery("select decision_id, evaluator, score, passed from"
                                + " telemetry.eval_results where project_id = $1 and decision_id = any($2)"
                                + " and trigger = 'SAMPLED' order by evaluated_at, evaluator")
                        .execute(args))
                .invoke(rows -> rows.forEach(r -> facts.evals()
                        .computeIfAbsent(r.getString("decision_id"), k -> new ArrayList<>())
                        .add(new Eval(r.getString("evaluator"), r.getDouble("score"), r.getBoolean("passed")))))
                .chain(() -> pool.preparedQuery("select decision_id, signal from telemetry.feedback"
                                + " where project_id = $1 and decision_id = any($2) order by occurred_at")
                        .execute(args))
                .map(rows -> {
                    rows.forEach(r -> {
                        List<String> signals =
                                facts.feedback().computeIfAbsent(r.getString("decision_id"), k -> new ArrayList<>());
                        if (!signals.contains(r.getString("signal"))) {
                            signals.add(r.getString("signal"));
                        }
                    });
                    return facts;
                });
    }

    private static Turn turn(Row r, Facts facts) {
        List<String> ids = Arrays.asList(r.getArrayOfStrings("decisions"));
        String decision = ids.isEmpty() ? null : ids.get(0);
        String[] text = decision == null ? null : facts.texts().get(decision);
        String input = text != null && text[0] != null ? text[0] : r.getString("input");
        String output = text != null && text[1] != null ? text[1] : r.getString("output");
        List<Eval> evals = new ArrayList<>();
        List<String> feedback = new ArrayList<>();
        for (String id : ids) {
            evals.addAll(facts.evals().getOrDefault(id, List.of()));
            facts.feedback().getOrDefault(id, List.of()).stream()
                    .filter(s -> !feedback.contains(s))
                    .forEach(feedback::add);
        }
        Instant start = r.getOffsetDateTime("root_start") != null
                ? r.getOffsetDateTime("root_start").toInstant()
                : r.getOffsetDateTime("trace_time").toInstant();
        return new Turn(
                r.getString("trace_id"),
                start,
                r.getString("root_name"),
                r.getString("feature"),
                input,
                output,
                r.getLong("error_turns") > 0 ? "ERROR" : "SUCCESS",
                r.getString("error_type"),
                r.getLong("latency_ms"),
                r.getLong("input_tokens"),
                r.getLong("output_tokens"),
                r.getBigDecimal("cost_usd"),
                decision,
                evals,
                feedback);
    }
}
