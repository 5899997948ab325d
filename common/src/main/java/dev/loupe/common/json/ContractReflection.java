package dev.loupe.common.json;

import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.AlertState;
import dev.loupe.contracts.events.DecisionRecord;
import dev.loupe.contracts.events.EvalResult;
import dev.loupe.contracts.events.EvalTrigger;
import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.MetricCatalogue;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.Outcome;
import dev.loupe.contracts.events.RetrievalResult;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.wire.DecisionInput;
import dev.loupe.contracts.wire.FeedbackInput;
import dev.loupe.contracts.wire.SpanInput;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Registers loupe-contracts' records and enums for reflection in native images. Jackson reads and writes them
 * reflectively, but contracts is a plain Jackson jar without Quarkus' annotation, so the registration lives here:
 * common is a bean archive, Quarkus indexes it, and every service depends on it. A record or enum added to
 * contracts goes into this list too ({@code ContractReflectionTest} fails otherwise).
 */
@RegisterForReflection(
        targets = {
            SpanRecord.class,
            DecisionRecord.class,
            RetrievalResult.class,
            FeedbackRecord.class,
            EvalResult.class,
            MetricWindow.class,
            AlertEvent.class,
            MetricCatalogue.Series.class,
            SpanKind.class,
            Outcome.class,
            FeedbackSignal.class,
            EvalTrigger.class,
            AlertState.class,
            SpanInput.class,
            DecisionInput.class,
            DecisionInput.Retrieved.class,
            FeedbackInput.class
        })
public final class ContractReflection {
    private ContractReflection() {}
}
