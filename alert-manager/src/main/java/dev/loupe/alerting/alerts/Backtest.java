package dev.loupe.alerting.alerts;

import dev.loupe.alerting.conditions.ConditionJudge;
import dev.loupe.alerting.conditions.Conditions;
import dev.loupe.alerting.conditions.Judgement;
import dev.loupe.alerting.conditions.WindowPoint;
import dev.loupe.alerting.rules.Rule;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays stored windows through a rule (stored or proposed) with the live engine's condition and lifecycle,
 * and reports when it would have gone pending, fired and resolved: tune k and {@code for} before turning a
 * rule on. Windows before {@code from} (up to a day) only feed the baselines.
 */
@Singleton
public class Backtest {
    static final Duration LOOKBACK = Duration.ofDays(1);

    @RegisterForReflection
    public record Transition(
            String state, Instant at, double value, Double threshold, Double baseline, String reason) {}

    @RegisterForReflection
    public record Series(
            Map<String, String> labels, String fingerprint, int windowsJudged, List<Transition> transitions) {}

    @RegisterForReflection
    public record Report(
            String ruleId,
            Instant from,
            Instant to,
            int series,
            int windowsJudged,
            int fired,
            int resolved,
            List<Series> results) {}

    private final Pool pool;

    public Backtest(Pool pool) {
        this.pool = pool;
    }

    public Uni<Report> run(String projectId, Rule rule, Instant from, Instant to) {
        Map<String, Map<String, String>> dims = new HashMap<>();
        return SeriesHistory.range(pool, projectId, rule.metric(), from.minus(LOOKBACK), to, dims)
                // replaying thousands of windows is CPU work: off the event loop
                .emitOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())
                .map(all -> {
                    List<Series> results = new ArrayList<>();
                    int judged = 0;
                    int fired = 0;
                    int resolved = 0;
                    for (Map.Entry<String, List<WindowPoint>> entry : all.entrySet()) {
                        Map<String, String> dimensions = dims.get(entry.getKey());
                        if (!RuleEngine.applies(rule, dimensions)) {
                            continue;
                        }
                        Series series = replay(rule, dimensions, entry.getValue(), from);
                        results.add(series);
                        judged += series.windowsJudged();
                        fired += (int) series.transitions().stream()
                                .filter(t -> t.state().equals("firing"))
                                .count();
                        resolved += (int) series.transitions().stream()
                                .filter(t -> t.state().equals("resolved"))
                                .count();
                    }
                    return new Report(rule.id(), from, to, results.size(), judged, fired, resolved, results);
                });
    }

    /** One series, oldest window first. */
    static Series replay(Rule rule, Map<String, String> dimensions, List<WindowPoint> windows, Instant from) {
        ConditionJudge judge = Conditions.judge(rule.condition().type());
        int depth = Math.max(
                RuleEngine.MIN_HISTORY,
                rule.condition().baselineWindows() == null
                        ? 0
                        : rule.condition().baselineWindows());
        Map<String, String> labels = RuleEngine.labels(rule, dimensions);
        AlertLifecycle.Status status = AlertLifecycle.Status.inactive();
        List<Transition> transitions = new ArrayList<>();
        int judged = 0;
        for (int i = 0; i < windows.size(); i++) {
            WindowPoint current = windows.get(i);
            if (current.windowStart().isBefore(from)) {
                continue;
            }
            // the condition reads at most its baseline: a bounded slice, not the whole past, per window
            List<WindowPoint> history = new ArrayList<>(windows.subList(Math.max(0, i - depth), i));
            java.util.Collections.reverse(history);
            Judgement judgement = judge.judge(rule.condition(), current, history);
            AlertLifecycle.Step step = AlertLifecycle.next(
                    status, judgement, current.windowEnd(), rule.pendingFor(), rule.keepFiringFor());
            judged++;
            if (step.entered() != null) {
                transitions.add(new Transition(
                        step.entered(),
                        current.windowEnd(),
                        judgement.value(),
                        judgement.threshold(),
                        judgement.baseline(),
                        judgement.reason()));
            }
            status = step.next();
        }
        return new Series(labels, Fingerprints.of(rule.id(), labels), judged, transitions);
    }
}
