package dev.loupe.alerting.alerts;

import dev.loupe.alerting.conditions.Conditions;
import dev.loupe.alerting.conditions.Judgement;
import dev.loupe.alerting.conditions.WindowPoint;
import dev.loupe.alerting.rules.Rule;
import dev.loupe.alerting.rules.RuleStore;
import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.events.AlertState;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.json.EventJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Judges each new closed window against the project's rules on its metric whose groupBy is the window's
 * dimension set and whose filter it matches: the series' earlier windows feed the condition, the verdict
 * moves the alert through {@link AlertLifecycle}, and each state entered is stored as a transition (the
 * alert's history) with the {@link AlertEvent} to publish. One transaction per rule and series, the alert
 * row locked, so a redelivered window (not newer than the last one judged) changes nothing.
 */
@Singleton
public class RuleEngine {
    private static final Logger LOG = Logger.getLogger(RuleEngine.class);
    static final int MIN_HISTORY = 60;
    private static final String NEWEST = """
            select max(window_start) from alerting.metric_windows
            where project_id = $1 and metric = $2 and dimensions_key = $3""";
    private static final String LOAD = """
            select state, pending_since, firing_since, recovering_since, last_window_end from alerting.alerts
            where project_id = $1 and fingerprint = $2 for update""";
    private static final String SAVE = """
            insert into alerting.alerts (project_id, fingerprint, rule_id, labels, state, pending_since, firing_since,
                recovering_since, last_window_end, value, threshold, baseline, summary, severity, owner, runbook_url,
                updated_at)
            values ($1, $2, $3, $4::text::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, now())
            on conflict (project_id, fingerprint) do update set state = excluded.state,
                pending_since = excluded.pending_since, firing_since = excluded.firing_since,
                recovering_since = excluded.recovering_since, last_window_end = excluded.last_window_end,
                value = excluded.value, threshold = excluded.threshold, baseline = excluded.baseline,
                summary = excluded.summary, severity = excluded.severity, owner = excluded.owner,
                runbook_url = excluded.runbook_url, updated_at = now(),
                acknowledged_by = case when alerting.alerts.state is distinct from excluded.state then null
                                       else alerting.alerts.acknowledged_by end,
                acknowledged_at = case when alerting.alerts.state is distinct from excluded.state then null
                                       else alerting.alerts.acknowledged_at end""";
    private static final String TRANSITION = """
            insert into alerting.alert_transitions (project_id, fingerprint, state, window_end, value, threshold, baseline,
                reason, event)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb) returning seq""";

    /** An event stored for publication, with its transition's sequence number. */
    public record Pending(long seq, AlertEvent event) {}

    private final Pool pool;
    private final RuleStore rules;
    private final MeterRegistry registry;

    public RuleEngine(Pool pool, RuleStore rules, MeterRegistry registry) {
        this.pool = pool;
        this.rules = rules;
        this.registry = registry;
    }

    /** Judges one stored window; returns the transitions it caused, stored and ready to publish. */
    public Uni<List<Pending>> judge(MetricWindow window, String dimensionsKey) {
        Map<String, String> dimensions = window.dimensions() == null ? Map.of() : window.dimensions();
        // a late or revised older window would start an alert in the past: only a series' newest window is judged
        return pool.preparedQuery(NEWEST)
                .execute(Tuple.of(window.projectId(), window.metric(), dimensionsKey))
                .chain(rows -> {
                    var newest = rows.iterator().next().getOffsetDateTime(0);
                    if (newest != null && newest.toInstant().isAfter(window.windowStart())) {
                        return Uni.createFrom().item(List.<Pending>of());
                    }
                    return judgeNewest(window, dimensions, dimensionsKey);
                });
    }

    private Uni<List<Pending>> judgeNewest(MetricWindow window, Map<String, String> dimensions, String dimensionsKey) {
        return rules.forMetric(window.projectId(), window.metric())
                .map(all ->
                        all.stream().filter(rule -> applies(rule, dimensions)).toList())
                .chain(applicable -> applicable.isEmpty()
                        ? Uni.createFrom().item(List.<Pending>of())
                        : Multi.createFrom()
                                .iterable(applicable)
                                .onItem()
                                .transformToUniAndConcatenate(rule -> pool.withTransaction(
                                        connection -> judgeOne(connection, rule, window, dimensions, dimensionsKey)))
                                .collect()
                                .asList()
                                .map(found ->
                                        found.stream().filter(Objects::nonNull).toList()));
    }

    /**
     * Resolves a rule's active alerts when the rule is deleted or replaced: otherwise they would fire forever
     * (no window judges them again) or beside the new rule's alerts. Returns the events to publish.
     */
    public Uni<List<Pending>> retire(String projectId, String ruleId, Instant now, String reason) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("""
                        update alerting.alerts set state = 'resolved', recovering_since = null, updated_at = now()
                        where project_id = $1 and rule_id = $2 and state in ('pending', 'firing')
                        returning fingerprint, labels::text as labels, summary, severity, owner, runbook_url, value,
                                  threshold, baseline, pending_since""")
                .execute(Tuple.of(projectId, ruleId))
                .chain(rows -> {
                    List<Uni<Pending>> events = new ArrayList<>();
                    for (Row row : rows) {
                        Map<String, String> labels = new TreeMap<>();
                        new io.vertx.core.json.JsonObject(row.getString("labels"))
                                .forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
                        Instant started = instant(row, "pending_since");
                        AlertEvent event = new AlertEvent(
                                SchemaVersions.CURRENT,
                                projectId,
                                row.getString("fingerprint"),
                                ruleId,
                                AlertState.RESOLVED,
                                null,
                                null,
                                row.getString("severity"),
                                row.getString("owner"),
                                row.getString("runbook_url"),
                                row.getString("summary"),
                                labels,
                                row.getDouble("value"),
                                row.getDouble("threshold"),
                                row.getDouble("baseline"),
                                started == null ? now : started,
                                now);
                        events.add(connection
                                .preparedQuery(TRANSITION)
                                .execute(Tuple.from(new Object[] {
                                    projectId,
                                    row.getString("fingerprint"),
                                    "resolved",
                                    time(now),
                                    row.getDouble("value"),
                                    row.getDouble("threshold"),
                                    row.getDouble("baseline"),
                                    reason,
                                    EventJson.encode(event)
                                }))
                                .map(seq -> new Pending(seq.iterator().next().getLong("seq"), event)));
                    }
                    return events.isEmpty()
                            ? Uni.createFrom().item(List.<Pending>of())
                            : Uni.join().all(events).andFailFast();
                }));
    }

    static boolean applies(Rule rule, Map<String, String> dimensions) {
        if (!new HashSet<>(rule.groupBy()).equals(dimensions.keySet())) {
            return false;
        }
        return rule.filter().entrySet().stream().allMatch(f -> f.getValue().equals(dimensions.get(f.getKey())));
    }

    /** The labels of a rule's alert on one series: its dimensions, the rule's labels, alertname, severity, owner. */
    public static Map<String, String> labels(Rule rule, Map<String, String> dimensions) {
        Map<String, String> labels = new TreeMap<>(rule.labels());
        labels.putAll(dimensions);
        labels.put("alertname", rule.id());
        labels.put("severity", rule.severity());
        labels.put("owner", rule.owner());
        labels.put("metric", rule.metric());
        return labels;
    }

    private Uni<Pending> judgeOne(
            SqlConnection connection,
            Rule rule,
            MetricWindow window,
            Map<String, String> dimensions,
            String dimensionsKey) {
        Map<String, String> labels = labels(rule, dimensions);
        String fingerprint = Fingerprints.of(rule.id(), labels);
        int depth = Math.max(
                MIN_HISTORY,
                rule.condition().baselineWindows() == null
                        ? 0
                        : rule.condition().baselineWindows());
        return connection
                .preparedQuery(LOAD)
                .execute(Tuple.of(window.projectId(), fingerprint))
                .chain(rows -> {
                    AlertLifecycle.Status status = rows.iterator().hasNext()
                            ? status(rows.iterator().next())
                            : AlertLifecycle.Status.inactive();
                    if (status.lastWindowEnd() != null && !window.windowEnd().isAfter(status.lastWindowEnd())) {
                        return Uni.createFrom().nullItem(); // redelivered or late: the series has moved on
                    }
                    return SeriesHistory.before(
                                    connection,
                                    window.projectId(),
                                    window.metric(),
                                    dimensionsKey,
                                    window.windowStart(),
                                    depth)
                            .chain(history -> {
                                WindowPoint current = new WindowPoint(
                                        window.windowStart(),
                                        window.windowEnd(),
                                        window.value(),
                                        window.sampleSize(),
                                        window.quantiles() == null ? Map.of() : window.quantiles());
                                Judgement judgement;
                                AlertLifecycle.Step step;
                                try {
                                    judgement = Conditions.judge(
                                                    rule.condition().type())
                                            .judge(rule.condition(), current, history);
                                    step = AlertLifecycle.next(
                                            status,
                                            judgement,
                                            window.windowEnd(),
                                            rule.pendingFor(),
                                            rule.keepFiringFor());
                                } catch (RuntimeException e) {
                                    // a bug judging one rule must not block the partition (the caller retries outages
                                    // forever)
                                    registry.counter("loupe.alerting.rule.failures")
                                            .increment();
                                    LOG.errorf(
                                            e,
                                            "rule %s of project %s could not judge window %s of %s; skipped",
                                            rule.id(),
                                            window.projectId(),
                                            window.windowStart(),
                                            window.metric());
                                    return Uni.createFrom().nullItem();
                                }
                                registry.counter(
                                                "loupe.alerting.judgements",
                                                "verdict",
                                                judgement.verdict().name().toLowerCase())
                                        .increment();
                                if (status.state() == null && step.next().state() == null) {
                                    return Uni.createFrom().nullItem(); // nothing to remember for a quiet series
                                }
                                return save(connection, rule, window, labels, fingerprint, step, judgement);
                            });
                });
    }

    private Uni<Pending> save(
            SqlConnection connection,
            Rule rule,
            MetricWindow window,
            Map<String, String> labels,
            String fingerprint,
            AlertLifecycle.Step step,
            Judgement judgement) {
        AlertLifecycle.Status next = step.next();
        String summary = Summaries.render(
                rule.summary(), labels, judgement.value(), judgement.threshold(), judgement.baseline());
        Uni<Void> saved = connection
                .preparedQuery(SAVE)
                .execute(Tuple.from(new Object[] {
                    window.projectId(),
                    fingerprint,
                    rule.id(),
                    EventJson.encode(labels),
                    next.state(),
                    time(next.pendingSince()),
                    time(next.firingSince()),
                    time(next.recoveringSince()),
                    time(next.lastWindowEnd()),
                    judgement.value(),
                    judgement.threshold(),
                    judgement.baseline(),
                    summary,
                    rule.severity(),
                    rule.owner(),
                    rule.runbookUrl()
                }))
                .replaceWithVoid();
        if (step.entered() == null) {
            return saved.replaceWith((Pending) null);
        }
        AlertState state = AlertState.valueOf(step.entered().toUpperCase());
        // as Prometheus does: an alert starts when its breach began (pending), not when it began to fire
        Instant startsAt = next.pendingSince();
        AlertEvent event = new AlertEvent(
                SchemaVersions.CURRENT,
                window.projectId(),
                fingerprint,
                rule.id(),
                state,
                null,
                null,
                rule.severity(),
                rule.owner(),
                rule.runbookUrl(),
                summary,
                labels,
                judgement.value(),
                judgement.threshold(),
                judgement.baseline(),
                startsAt == null ? window.windowEnd() : startsAt,
                state == AlertState.RESOLVED ? window.windowEnd() : null);
        LOG.infof("alert %s %s (%s) %s: %s", rule.id(), fingerprint, labels, step.entered(), judgement.reason());
        registry.counter("loupe.alerting.transitions", "state", step.entered()).increment();
        return saved.chain(() -> connection.preparedQuery(TRANSITION).execute(Tuple.from(new Object[] {
                    window.projectId(),
                    fingerprint,
                    step.entered(),
                    time(window.windowEnd()),
                    judgement.value(),
                    judgement.threshold(),
                    judgement.baseline(),
                    judgement.reason(),
                    EventJson.encode(event)
                })))
                .map(rows -> new Pending(rows.iterator().next().getLong("seq"), event));
    }

    private static AlertLifecycle.Status status(Row row) {
        return new AlertLifecycle.Status(
                row.getString("state"),
                instant(row, "pending_since"),
                instant(row, "firing_since"),
                instant(row, "recovering_since"),
                instant(row, "last_window_end"));
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
