package dev.loupe.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.client.Decision;
import dev.loupe.client.Feedback;
import dev.loupe.client.Span;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.SpanKind;
import java.time.Duration;

/** The simulated app's telemetry in the client's builders, as an app instrumented with the client writes it. */
final class ClientMapping {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ClientMapping() {}

    static Span span(Traffic.Span s) {
        Span.Builder b = Span.of(SpanKind.valueOf(s.kind()))
                .traceId(s.traceId())
                .spanId(s.spanId())
                .parentSpanId(s.parentSpanId())
                .name(s.name())
                .provider(s.provider())
                .model(s.model())
                .startTime(s.start())
                .endTime(s.start().plusMillis(s.latencyMs()))
                .inputTokens(s.inputTokens())
                .outputTokens(s.outputTokens())
                .prompt(s.prompt())
                .completion(s.completion())
                .feature(s.feature())
                .sessionId(s.sessionId())
                .userId(s.userId())
                .decisionId(s.decisionId())
                .toolName(s.toolName())
                .parseError(s.parseError());
        if (s.parsedOutput() != null) {
            b.parsedOutput(MAPPER.valueToTree(s.parsedOutput()));
        }
        if (s.status().equals("ERROR")) {
            b.error(s.errorType(), s.errorType() + " from the provider");
        } else {
            b.status(Outcome.valueOf(s.status()));
        }
        return b.build();
    }

    static Decision decision(Traffic.Decision d) {
        Decision.Builder b = Decision.of(d.decisionId())
                .traceId(d.traceId())
                .feature(d.feature())
                .input(d.input())
                .promptTemplate(d.promptTemplate())
                .promptVersion(d.promptVersion())
                .model(d.model())
                .output(d.output())
                .latency(Duration.ofMillis(d.latencyMs()))
                .occurredAt(d.occurredAt())
                .status(Outcome.valueOf(d.status()));
        for (Traffic.Doc doc : d.retrieved()) {
            b.retrieved(doc.docId(), doc.score(), doc.text());
        }
        if (d.parsedOutput() != null) {
            b.parsedOutput(MAPPER.valueToTree(d.parsedOutput()));
        }
        if (d.errorType() != null) {
            b.error(d.errorType());
        }
        if (d.sessionId() != null) {
            b.metadata("session", d.sessionId());
        }
        return b.build();
    }

    static Feedback feedback(Traffic.Feedback f) {
        return Feedback.of(f.decisionId(), FeedbackSignal.valueOf(f.signal()))
                .correction(f.correction())
                .feedbackText(f.text())
                .userId(f.userId())
                .occurredAt(f.occurredAt())
                .idempotencyKey(f.decisionId() + "/" + f.signal())
                .build();
    }
}
