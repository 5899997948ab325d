package dev.loupe.evals.feedback;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.json.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Finds the decision of each feedback, and the feedback of each decision, among what the runner keeps. */
@Singleton
public class FeedbackLinks {
    private static final String DECISIONS = """
            select d.record::text as record from evals.decisions d
            join unnest($1::text[], $2::text[]) as u(project_id, decision_id)
              on d.project_id = u.project_id and d.decision_id = u.decision_id""";
    private static final String FEEDBACK = """
            select f.record::text as record from evals.feedback_received f
            join unnest($1::text[], $2::text[]) as u(project_id, decision_id)
              on f.project_id = u.project_id and f.decision_id = u.decision_id""";

    /** Pairs each feedback with its decision when the runner keeps it; the others stay out (parked). */
    public Uni<List<FeedbackLoop.Linked>> withDecisions(SqlClient client, List<FeedbackRecord> feedback) {
        if (feedback.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return client.preparedQuery(DECISIONS)
                .execute(Tuple.of(
                        feedback.stream().map(FeedbackRecord::projectId).toArray(String[]::new),
                        feedback.stream().map(FeedbackRecord::decisionId).toArray(String[]::new)))
                .map(rows -> {
                    Map<String, DecisionRecord> decisions = new HashMap<>();
                    for (Row row : rows) {
                        DecisionRecord d = EventJson.decode(row.getString("record"), DecisionRecord.class);
                        decisions.put(key(d.projectId(), d.decisionId()), d);
                    }
                    List<FeedbackLoop.Linked> linked = new ArrayList<>();
                    for (FeedbackRecord f : feedback) {
                        DecisionRecord d = decisions.get(key(f.projectId(), f.decisionId()));
                        if (d != null) {
                            linked.add(new FeedbackLoop.Linked(f, d));
                        }
                    }
                    return linked;
                });
    }

    /** Every feedback received so far on these decisions (parked or already acted on: acting again is idempotent). */
    public Uni<List<FeedbackLoop.Linked>> forDecisions(SqlClient client, List<DecisionRecord> decisions) {
        if (decisions.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, DecisionRecord> byKey = new HashMap<>();
        decisions.forEach(d -> byKey.put(key(d.projectId(), d.decisionId()), d));
        return client.preparedQuery(FEEDBACK)
                .execute(Tuple.of(
                        decisions.stream().map(DecisionRecord::projectId).toArray(String[]::new),
                        decisions.stream().map(DecisionRecord::decisionId).toArray(String[]::new)))
                .map(rows -> {
                    List<FeedbackLoop.Linked> linked = new ArrayList<>();
                    for (Row row : rows) {
                        FeedbackRecord f = EventJson.decode(row.getString("record"), FeedbackRecord.class);
                        linked.add(new FeedbackLoop.Linked(f, byKey.get(key(f.projectId(), f.decisionId()))));
                    }
                    return linked;
                });
    }

    private static String key(String projectId, String decisionId) {
        return projectId + '\u0000' + decisionId;
    }
}
