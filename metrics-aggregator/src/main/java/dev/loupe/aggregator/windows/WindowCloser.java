package dev.loupe.aggregator.windows;

import dev.loupe.aggregator.query.Metric;
import dev.loupe.aggregator.query.MetricRequest;
import dev.loupe.aggregator.query.MetricSeries;
import dev.loupe.aggregator.query.MetricService;
import dev.loupe.contracts.events.MetricCatalogue;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import dev.loupe.contracts.json.EventJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes closed 1-minute windows to {@code loupe.metric-windows.v1}: every metric and dimension set of
 * {@link MetricCatalogue} ({@code docs/architecture.md#windows}), computed by the same {@link MetricService} as
 * the query API. A window closes once "now" (an injected clock) passes its end plus the lateness allowance; data
 * that changes a window after that publishes it again with {@code revision + 1}. A window's marks are settled
 * only after the broker has acknowledged all its records, and only up to the changes that were read: a change
 * made meanwhile publishes the window again.
 *
 * <p>Every replica runs the closer. A window is claimed before it is published ({@link #CLAIM}, under an advisory
 * lock per window), and the claim allocates its revision, so two replicas never publish the same (window,
 * revision), and a replica that died mid-close is followed by the next revision, not a repeat.
 */
@ApplicationScoped
public class WindowCloser {
    public static final String CHANNEL = "metric-windows-out";
    private static final Logger LOG = Logger.getLogger(WindowCloser.class);

    /**
     * What closing one window queries, derived from {@link MetricCatalogue} (the one table of what is published,
     * which alert-manager validates rules against): one query per metric and dimension set, except that the
     * latency metrics share one sketch query per set, which gives the p50, p95 and p99 windows and latency_shift.
     */
    static final List<Query> QUERIES = plan();

    /**
     * {@link #QUERIES} by metric: one {@link MetricService#queryEach} call per metric, so a metric that can answer
     * all its dimension sets in one statement (tokens per session) does.
     */
    private static final List<List<Query>> BY_METRIC = List.copyOf(QUERIES.stream()
            .collect(Collectors.groupingBy(Query::metric, LinkedHashMap::new, Collectors.toList()))
            .values());

    /** One query of a window close and the catalogue metrics its series are published as. */
    record Query(Metric metric, List<String> dimensions, List<Metric> published) {}

    static List<Query> plan() {
        Map<Metric, Map<List<String>, List<Metric>>> byQuery = new LinkedHashMap<>();
        for (MetricCatalogue.Series series : MetricCatalogue.series()) {
            Metric published = Metric.ofLabel(series.metric())
                    .orElseThrow(() -> new IllegalStateException("the metric catalogue publishes " + series.metric()
                            + ", which the aggregator cannot compute"));
            Metric query = published.isLatency() ? Metric.LATENCY_SHIFT : published;
            byQuery.computeIfAbsent(query, q -> new LinkedHashMap<>())
                    .computeIfAbsent(List.copyOf(series.dimensions()), d -> new ArrayList<>())
                    .add(published);
        }
        List<Query> queries = new ArrayList<>();
        byQuery.forEach((query, sets) ->
                sets.forEach((dims, published) -> queries.add(new Query(query, dims, List.copyOf(published)))));
        return List.copyOf(queries);
    }

    /**
     * Windows (over all writer shards) with changes not yet published: never published, or last published at or
     * before {@code $3} (now minus the revision interval). Candidates only: {@link #CLAIM} decides.
     */
    private static final String DUE = """
            select project_id, window_start
            from telemetry.window_marks where window_start <= $1
            group by project_id, window_start
            having bool_or(changes > closed_changes) and (max(revision) < 0 or max(closed_at) <= $3)
            order by window_start, project_id limit $2""";
    /**
     * One window at a time, across every replica: a transaction-scoped advisory lock on (project, window start),
     * taken before {@link #CLAIM} so that its snapshot sees what a replica that held the lock before committed.
     * The two-key form with {@code hashtext('loupe.window-close')} as the first key keeps it apart from other
     * advisory locks; a hash collision only makes two windows wait for each other.
     */
    private static final String LOCK = """
            select pg_advisory_xact_lock(hashtext('loupe.window-close'),
                                         hashtext($1 || '|' || (extract(epoch from $2::timestamptz))::bigint))""";
    /**
     * Claims a window that is still due by giving it its next revision before anything is published, and answers
     * that revision with the changes per shard it covers. Nothing if it is no longer due: another replica closed
     * it, or closed it less than the revision interval ago. A replica that dies between this claim and
     * {@link #SETTLE} leaves the window due again once the revision interval has passed, and the next claim
     * takes the revision after: no (window, revision) is published by two claims.
     */
    private static final String CLAIM = """
            update telemetry.window_marks m set revision = c.next, closed_at = $4
            from (select max(revision) + 1 as next from telemetry.window_marks
                  where project_id = $1 and window_start = $2
                  having bool_or(changes > closed_changes) and (max(revision) < 0 or max(closed_at) <= $3)) c
            where m.project_id = $1 and m.window_start = $2
            returning c.next as revision, m.shard, m.changes""";
    /** Records what was published: the changes seen per shard (the revision was set by the claim). */
    private static final String SETTLE = """
            update telemetry.window_marks m set closed_changes = greatest(m.closed_changes, u.changes)
            from unnest($3::smallint[], $4::bigint[]) as u(shard, changes)
            where m.project_id = $1 and m.window_start = $2 and m.shard = u.shard""";

    /**
     * After a failed publication (the broker away): the window becomes due at once, for its next revision, rather
     * than after the revision interval. Its claimed revision may have been published in part, so it is not
     * reused. A replica that dies instead of failing leaves the claim to run out with the revision interval.
     */
    private static final String RELEASE = """
            update telemetry.window_marks set closed_at = '-infinity'
            where project_id = $1 and window_start = $2 and revision = $3""";

    /** A window this replica claimed: the revision it publishes and the changes per shard it settles. */
    record Claim(int revision, Short[] shards, Long[] changes) {}

    private final Pool pool;
    private final MetricService metrics;
    private final MutinyEmitter<String> emitter;
    private final WindowConfig config;
    private final Clock clock;
    private final MeterRegistry registry;

    public WindowCloser(
            Pool pool,
            MetricService metrics,
            @Channel(CHANNEL) MutinyEmitter<String> emitter,
            WindowConfig config,
            Clock clock,
            MeterRegistry registry) {
        this.pool = pool;
        this.metrics = metrics;
        this.emitter = emitter;
        this.config = config;
        this.clock = clock;
        this.registry = registry;
    }

    @Scheduled(
            every = "${loupe.windows.interval:10s}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return closeDue(clock.instant())
                .replaceWithVoid()
                .onFailure()
                .invoke(e -> LOG.warnf("closing metric windows failed, will retry: %s", e.toString()))
                .onFailure()
                .recoverWithNull();
    }

    /**
     * Publishes every window due at {@code now} that no other replica claims first; answers how many windows this
     * replica closed.
     */
    public Uni<Integer> closeDue(Instant now) {
        Instant latestStart = now.minus(config.lateness()).minus(1, ChronoUnit.MINUTES);
        return pool.preparedQuery(DUE)
                .execute(Tuple.of(
                        latestStart.atOffset(ZoneOffset.UTC),
                        config.maxPerRun(),
                        now.minus(config.revisionInterval()).atOffset(ZoneOffset.UTC)))
                .onItem()
                .transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem()
                .transformToUniAndConcatenate(row -> close(row, now))
                .collect()
                .asList()
                .map(closed ->
                        (int) closed.stream().filter(Boolean::booleanValue).count());
    }

    private Uni<Boolean> close(Row candidate, Instant now) {
        String projectId = candidate.getString("project_id");
        Instant start = candidate.getOffsetDateTime("window_start").toInstant();
        return claim(projectId, start, now).chain(claim -> {
            if (claim == null) {
                registry.counter("loupe.aggregator.windows.claimed.elsewhere").increment();
                return Uni.createFrom().item(false);
            }
            return windows(projectId, start, claim.revision())
                    .chain(windows -> Multi.createFrom()
                            .iterable(windows)
                            .onItem()
                            .transformToUniAndMerge(this::publish)
                            .collect()
                            .last()
                            .chain(() -> pool.preparedQuery(SETTLE)
                                    .execute(Tuple.of(
                                            projectId,
                                            start.atOffset(ZoneOffset.UTC),
                                            claim.shards(),
                                            claim.changes())))
                            .invoke(() -> registry.counter("loupe.aggregator.windows.published")
                                    .increment(windows.size())))
                    .onFailure()
                    .call(e -> pool.preparedQuery(RELEASE)
                            .execute(Tuple.of(projectId, start.atOffset(ZoneOffset.UTC), claim.revision()))
                            .onFailure()
                            .recoverWithNull())
                    .invoke(() -> registry.counter(
                                    "loupe.aggregator.windows.closed",
                                    "revision",
                                    claim.revision() == 0 ? "first" : "later")
                            .increment())
                    .replaceWith(true);
        });
    }

    /** {@link #LOCK} then {@link #CLAIM} in one transaction; {@code null} when the window is not this replica's. */
    Uni<Claim> claim(String projectId, Instant start, Instant now) {
        OffsetDateTime windowStart = start.atOffset(ZoneOffset.UTC);
        return pool.withTransaction(connection -> connection
                .preparedQuery(LOCK)
                .execute(Tuple.of(projectId, windowStart))
                .chain(() -> connection
                        .preparedQuery(CLAIM)
                        .execute(Tuple.of(
                                projectId,
                                windowStart,
                                now.minus(config.revisionInterval()).atOffset(ZoneOffset.UTC),
                                now.atOffset(ZoneOffset.UTC))))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Short[] shards = new Short[rows.size()];
                    Long[] changes = new Long[rows.size()];
                    int revision = -1;
                    int i = 0;
                    for (Row row : rows) {
                        revision = row.getInteger("revision");
                        shards[i] = row.getShort("shard");
                        changes[i] = row.getLong("changes");
                        i++;
                    }
                    return new Claim(revision, shards, changes);
                }));
    }

    /** Every MetricWindow of one project's window. */
    public Uni<List<MetricWindow>> windows(String projectId, Instant start, int revision) {
        Instant end = start.plus(1, ChronoUnit.MINUTES);
        List<MetricWindow> out = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (List<Query> queries : BY_METRIC) {
            Query first = queries.get(0);
            MetricRequest request =
                    new MetricRequest(projectId, first.metric(), start, end, List.of(), Optional.empty(), Map.of());
            List<List<String>> sets = queries.stream().map(Query::dimensions).toList();
            chain = chain.chain(() -> metrics.queryEach(request, sets, 10_000)
                    .invoke(answers -> {
                        for (int i = 0; i < queries.size(); i++) {
                            for (MetricSeries.Series s : answers.get(i).series()) {
                                if (s.group().containsValue(null) || s.points().isEmpty()) {
                                    continue;
                                }
                                MetricSeries.Point p = s.points().get(0);
                                for (Metric metric : queries.get(i).published()) {
                                    out.add(window(
                                            projectId, metric.label(), s, start, end, value(metric, p), p, revision));
                                }
                            }
                        }
                    })
                    .replaceWithVoid());
        }
        return chain.map(v -> out);
    }

    /** A latency quantile's window takes it from the sketch; every other metric's is the point's value. */
    private static double value(Metric metric, MetricSeries.Point p) {
        return switch (metric) {
            case LATENCY_P50_MS -> p.quantiles().get("p50");
            case LATENCY_P95_MS -> p.quantiles().get("p95");
            case LATENCY_P99_MS -> p.quantiles().get("p99");
            default -> p.value();
        };
    }

    private static MetricWindow window(
            String projectId,
            String metric,
            MetricSeries.Series s,
            Instant start,
            Instant end,
            double value,
            MetricSeries.Point p,
            int revision) {
        return new MetricWindow(
                SchemaVersions.CURRENT,
                projectId,
                metric,
                s.group(),
                start,
                end,
                value,
                p.sampleSize(),
                p.quantiles(),
                revision);
    }

    private Uni<Void> publish(MetricWindow w) {
        String key = w.projectId() + '|' + w.metric() + '|' + w.dimensions();
        return emitter.sendMessage(Message.of(EventJson.encode(w))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .build()));
    }
}
