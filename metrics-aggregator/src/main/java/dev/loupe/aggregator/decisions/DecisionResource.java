package dev.loupe.aggregator.decisions;

import dev.loupe.aggregator.spans.SpanColumns;
import dev.loupe.common.http.ProblemException;
import dev.loupe.common.tenancy.Caller;
import dev.loupe.common.tenancy.Scope;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.LoupeEvent;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;

/**
 * Reconstructs one decision of the caller's project: its context, every span of its trace (and spans that
 * name it), its evaluation results and its feedback, each in time order. Another project's decision is
 * indistinguishable from a missing one.
 */
@Path("/v1/decisions")
public class DecisionResource {
    private static final String DECISION = "select record::text as record from telemetry.decisions "
            + "where project_id = $1 and decision_id = $2 order by occurred_at desc limit 1";
    private static final String SPANS = SpanColumns.SELECT
            + " where project_id = $1 and (trace_id = $2 or decision_id = $3) order by start_time, span_id";
    private static final String EVALS = "select record::text as record from telemetry.eval_results "
            + "where project_id = $1 and decision_id = $2 order by evaluated_at, eval_id";
    private static final String FEEDBACK = "select record::text as record from telemetry.feedback "
            + "where project_id = $1 and decision_id = $2 order by occurred_at, feedback_id";

    private final Pool pool;
    private final Caller caller;

    public DecisionResource(Pool pool, Caller caller) {
        this.pool = pool;
        this.caller = caller;
    }

    @GET
    @Path("/{decisionId}")
    @RolesAllowed(Scope.READ_ROLE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DecisionView> decision(@PathParam("decisionId") String decisionId) {
        if (decisionId.length() > 256 || decisionId.isBlank()) {
            throw ProblemException.badRequest("decisionId", "must be 1 to 256 characters");
        }
        String project = caller.projectId();
        return pool.preparedQuery(DECISION)
                .execute(Tuple.of(project, decisionId))
                .chain(rows -> {
                    List<DecisionRecord> found = records(rows, DecisionRecord.class);
                    if (found.isEmpty()) {
                        return Uni.createFrom()
                                .failure(ProblemException.notFound("no decision " + decisionId + " in this project"));
                    }
                    DecisionRecord decision = found.get(0);
                    Uni<List<SpanRecord>> spans = pool.preparedQuery(SPANS)
                            .execute(Tuple.of(project, decision.traceId(), decisionId))
                            .map(DecisionResource::spans);
                    Uni<List<EvalResult>> evals = pool.preparedQuery(EVALS)
                            .execute(Tuple.of(project, decisionId))
                            .map(r -> records(r, EvalResult.class));
                    Uni<List<FeedbackRecord>> feedback = pool.preparedQuery(FEEDBACK)
                            .execute(Tuple.of(project, decisionId))
                            .map(r -> records(r, FeedbackRecord.class));
                    return Uni.combine()
                            .all()
                            .unis(spans, evals, feedback)
                            .with((s, e, f) -> new DecisionView(decision, s, e, f));
                });
    }

    private static List<SpanRecord> spans(RowSet<Row> rows) {
        List<SpanRecord> out = new ArrayList<>();
        rows.forEach(row -> out.add(SpanColumns.fromRow(row)));
        return out;
    }

    private static <T extends LoupeEvent> List<T> records(RowSet<Row> rows, Class<T> type) {
        List<T> out = new ArrayList<>();
        rows.forEach(row -> out.add(EventJson.decode(row.getString("record"), type)));
        return out;
    }
}
