package dev.loupe.feedback;

import dev.loupe.contracts.events.FeedbackRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** The answer to {@code GET /v1/feedback?decisionId=}: the decision's feedback, oldest first. */
@RegisterForReflection
public record FeedbackList(List<FeedbackRecord> feedback) {}
