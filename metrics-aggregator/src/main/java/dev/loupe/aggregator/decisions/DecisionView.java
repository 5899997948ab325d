package dev.loupe.aggregator.decisions;

import dev.loupe.common.events.DecisionRecord;
import dev.loupe.common.events.EvalResult;
import dev.loupe.common.events.FeedbackRecord;
import dev.loupe.common.events.SpanRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** {@code GET /v1/decisions/{id}}: why the model said X — the context, every span, the evaluations and feedback. */
@RegisterForReflection
public record DecisionView(DecisionRecord decision, List<SpanRecord> spans, List<EvalResult> evals,
                           List<FeedbackRecord> feedback) {
}
