package dev.loupe.aggregator.decisions;

import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.SpanRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** {@code GET /v1/decisions/{id}}: why the model said X — the context, every span, the evaluations and feedback. */
@RegisterForReflection
public record DecisionView(
        DecisionRecord decision, List<SpanRecord> spans, List<EvalResult> evals, List<FeedbackRecord> feedback) {}
