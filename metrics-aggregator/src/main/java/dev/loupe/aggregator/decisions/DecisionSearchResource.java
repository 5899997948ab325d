package dev.loupe.aggregator.decisions;

import dev.loupe.aggregator.query.QueryParams;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.json.EventJson;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /v1/decisions}: finds decisions of the caller's project by feature, model, prompt version, retrieved
 * documents, time range and the feedback they received, newest first, each with the distinct signals users gave
 * it. The dashboard's "similar decisions" are such searches.
 */
@Path("/v1/decisions")
public class DecisionSearchResource {
    private static final int MAX_LIMIT = 500;

    private final Pool pool;
    private final Caller caller;
    private final Clock clock;

    public DecisionSearchResource(Pool pool, Caller caller, Clock clock) {
        this.pool = pool;
        this.caller = caller;
        this.clock = clock;
    }

    /** One found decision and the feedback signals it received. */
    @RegisterForReflection
    public record Found(DecisionRecord decision, List<String> signals) {}

    /** The answer: newest first. */
    @RegisterForReflection
    public record Results(List<Found> decisions) {}

    @GET
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Results> search(
            @QueryParam("feature") String feature,
            @QueryParam("from") String fromParam,
            @QueryParam("to") String toParam,
            @QueryParam("signal") String signalParam,
            @QueryParam("limit") String limitParam,
            @QueryParam("model") String model,
            @QueryParam("promptVersion") String promptVersion,
            @QueryParam("docId") List<String> docIds) {
        Instant to = QueryParams.instant("to", toParam, clock.instant());
        Instant from = QueryParams.instant("from", fromParam, to.minus(Duration.ofDays(1)));
        if (!from.isBefore(to)) {
            throw ProblemException.badRequest("from", "must be before 'to'");
        }
        int limit = QueryParams.limit(limitParam, 50, MAX_LIMIT);
        checkText("feature", feature);
        checkText("model", model);
        checkText("promptVersion", promptVersion);
        if (docIds != null && docIds.size() > 20) {
            throw ProblemException.badRequest("docId", "at most 20");
        }
        if (docIds != null) {
            docIds.forEach(d -> checkText("docId", d));
        }
        FeedbackSignal signal = null;
        if (signalParam != null) {
            try {
                signal = FeedbackSignal.parse(signalParam);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest(
                        "signal", "must be one of " + Arrays.toString(FeedbackSignal.values()));
            }
        }
        Tuple args = Tuple.of(caller.projectId(), from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC));
        StringBuilder sql = new StringBuilder("""
                select d.record::text as record, coalesce((select array_agg(distinct f.signal order by f.signal)
                    from telemetry.feedback f where f.project_id = d.project_id and f.decision_id = d.decision_id),
                    '{}') as signals
                from telemetry.decisions d
                where d.project_id = $1 and d.occurred_at >= $2 and d.occurred_at < $3""");
        if (feature != null) {
            args.addValue(feature);
            sql.append(" and d.feature = $").append(args.size());
        }
        if (model != null) {
            args.addValue(model);
            // by model key (docs/architecture.md#model-key): gpt-4o finds gpt-4o-2024-08-06 too, like the metrics
            sql.append(" and telemetry.model_key(d.model) = telemetry.model_key($")
                    .append(args.size())
                    .append(')');
        }
        if (promptVersion != null) {
            args.addValue(promptVersion);
            sql.append(" and d.record->>'promptVersion' = $").append(args.size());
        }
        if (docIds != null && !docIds.isEmpty()) {
            // jsonb containment: every named document is among the decision's retrievalResults
            JsonArray wanted = new JsonArray();
            docIds.forEach(d -> wanted.add(new JsonObject().put("docId", d)));
            args.addValue(wanted.encode());
            sql.append(" and d.record->'retrievalResults' @> $")
                    .append(args.size())
                    .append("::text::jsonb");
        }
        if (signal != null) {
            args.addValue(signal.name());
            sql.append(" and exists (select 1 from telemetry.feedback f where f.project_id = d.project_id")
                    .append(" and f.decision_id = d.decision_id and f.signal = $")
                    .append(args.size())
                    .append(')');
        }
        args.addValue(limit);
        sql.append(" order by d.occurred_at desc, d.decision_id limit $").append(args.size());
        return pool.preparedQuery(sql.toString()).execute(args).map(rows -> {
            List<Found> found = new ArrayList<>();
            for (Row r : rows) {
                found.add(new Found(
                        EventJson.decode(r.getString("record"), DecisionRecord.class),
                        Arrays.asList(r.getArrayOfStrings("signals"))));
            }
            return new Results(found);
        });
    }

    private static void checkText(String field, String value) {
        if (value != null && (value.isBlank() || value.length() > 256)) {
            throw ProblemException.badRequest(field, "must be 1 to 256 characters");
        }
    }
}
