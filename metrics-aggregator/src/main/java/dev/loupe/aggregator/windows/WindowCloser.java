package dev.loupe.aggregator.windows;

import dev.loupe.aggregator.query.Metric;
import dev.loupe.aggregator.query.MetricRequest;
import dev.loupe.aggregator.query.MetricSeries;
import dev.loupe.aggregator.query.MetricService;
import dev.loupe.common.events.MetricWindow;
import dev.loupe.common.events.SchemaVersions;
import dev.loupe.common.json.EventJson;
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
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes closed 1-minute windows to {@code loupe.metric-windows.v1}: every metric and dimension set of
 * docs/architecture.md#metrics, computed by the same {@link MetricService} as the query API. A window closes once "now"
 * (an injected clock) passes its end plus the lateness allowance; data that changes a window after that
 * publishes it again with {@code revision + 1}. A window's marks are settled only after the broker has
 * acknowledged all its records, and only up to the changes that were read: a change made meanwhile
 * publishes the window again.
 */
@ApplicationScoped
public class WindowCloser {
    public static final String CHANNEL = "metric-windows-out";
    private static final Logger LOG = Logger.getLogger(WindowCloser.class);

    /** The table of docs/architecture.md#metrics: metric → the dimension sets it is published for. */
    static final Map<Metric, List<List<String>>> WINDOWS = new LinkedHashMap<>();

    static {
        List<List<String>> overall = List.of(List.of(), List.of("feature"), List.of("model"));
        WINDOWS.put(Metric.REQUEST_COUNT, overall);
        WINDOWS.put(Metric.ERROR_RATE, overall);
        WINDOWS.put(Metric.COST_USD, overall);
        WINDOWS.put(Metric.DAILY_SPEND_USD, List.of(List.of(), List.of("feature")));
        WINDOWS.put(Metric.TOKENS_PER_SESSION, List.of(List.of(), List.of("feature")));
        WINDOWS.put(Metric.PARSE_FAILURE_RATE, List.of(List.of("feature"), List.of("model")));
        WINDOWS.put(Metric.TOOL_ERROR_RATE, List.of(List.of("tool")));
        // one sketch query per dimension set gives latency_p50/p95/p99_ms and latency_shift
        WINDOWS.put(Metric.LATENCY_SHIFT, List.of(List.of("model"), List.of("feature")));
        WINDOWS.put(Metric.EVAL_PASS_RATE, List.of(List.of("feature"), List.of("feature", "evaluator")));
        WINDOWS.put(Metric.EVAL_SCORE_MEAN, List.of(List.of("feature"), List.of("feature", "evaluator")));
        WINDOWS.put(Metric.CORRECTION_RATE, List.of(List.of("feature")));
        WINDOWS.put(Metric.THUMBS_DOWN_RATE, List.of(List.of("feature")));
        WINDOWS.put(Metric.JUDGE_DISAGREEMENT_RATE, List.of(List.of("feature"), List.of("feature", "evaluator")));
    }

    /** Windows (over all writer shards) with changes not yet published. */
    private static final String DUE = """
            select project_id, window_start, max(revision) as revision, array_agg(shard) as shards,
                   array_agg(changes) as changes
            from telemetry.window_marks where window_start <= $1
            group by project_id, window_start having bool_or(changes > closed_changes)
            order by window_start, project_id limit $2""";
    /** Records what was published: the changes seen per shard and the revision. */
    private static final String SETTLE = """
            update telemetry.window_marks m set closed_changes = greatest(m.closed_changes, u.changes), revision = $3,
                closed_at = $4
            from unnest($5::smallint[], $6::bigint[]) as u(shard, changes)
            where m.project_id = $1 and m.window_start = $2 and m.shard = u.shard""";

    private final Pool pool;
    private final MetricService metrics;
    private final MutinyEmitter<String> emitter;
    private final WindowConfig config;
    private final Clock clock;
    private final MeterRegistry registry;

    public WindowCloser(Pool pool, MetricService metrics, @Channel(CHANNEL) MutinyEmitter<String> emitter,
                        WindowConfig config, Clock clock, MeterRegistry registry) {
        this.pool = pool;
        this.metrics = metrics;
        this.emitter = emitter;
        this.config = config;
        this.clock = clock;
        this.registry = registry;
    }

    @Scheduled(every = "${loupe.windows.interval:10s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return closeDue(clock.instant()).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("closing metric windows failed, will retry: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    /** Publishes every window due at {@code now}; answers how many windows were published. */
    public Uni<Integer> closeDue(Instant now) {
        Instant latestStart = now.minus(config.lateness()).minus(1, ChronoUnit.MINUTES);
        return pool.preparedQuery(DUE).execute(Tuple.of(latestStart.atOffset(ZoneOffset.UTC), config.maxPerRun()))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(row -> close(row, now))
                .collect().asList()
                .map(List::size);
    }

    private Uni<Void> close(Row mark, Instant now) {
        String projectId = mark.getString("project_id");
        Instant start = mark.getOffsetDateTime("window_start").toInstant();
        Short[] shards = mark.getArrayOfShorts("shards");
        Long[] changes = mark.getArrayOfLongs("changes");
        int revision = mark.getInteger("revision") + 1;
        return windows(projectId, start, revision)
                .chain(windows -> Multi.createFrom().iterable(windows)
                        .onItem().transformToUniAndMerge(this::publish)
                        .collect().last()
                        .chain(() -> pool.preparedQuery(SETTLE).execute(Tuple.of(projectId, start.atOffset(ZoneOffset.UTC),
                                revision, now.atOffset(ZoneOffset.UTC), shards, changes)))
                        .invoke(() -> registry.counter("loupe.aggregator.windows.published").increment(windows.size())))
                .invoke(() -> registry.counter("loupe.aggregator.windows.closed", "revision",
                        revision == 0 ? "first" : "later").increment())
                .replaceWithVoid();
    }

    /** Every MetricWindow of one project's window. */
    public Uni<List<MetricWindow>> windows(String projectId, Instant start, int revision) {
        Instant end = start.plus(1, ChronoUnit.MINUTES);
        List<MetricWindow> out = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<Metric, List<List<String>>> entry : WINDOWS.entrySet()) {
            for (List<String> dims : entry.getValue()) {
                MetricRequest request = new MetricRequest(projectId, entry.getKey(), start, end, dims, Optional.empty(),
                        Map.of());
                chain = chain.chain(() -> metrics.query(request, 10_000).invoke(series -> {
                    for (MetricSeries.Series s : series.series()) {
                        if (s.group().containsValue(null) || s.points().isEmpty()) {
                            continue;
                        }
                        MetricSeries.Point p = s.points().get(0);
                        if (request.metric() == Metric.LATENCY_SHIFT) {
                            out.add(window(projectId, "latency_p50_ms", s, start, end, p.quantiles().get("p50"), p, revision));
                            out.add(window(projectId, "latency_p95_ms", s, start, end, p.quantiles().get("p95"), p, revision));
                            out.add(window(projectId, "latency_p99_ms", s, start, end, p.quantiles().get("p99"), p, revision));
                        }
                        out.add(window(projectId, request.metric().label(), s, start, end, p.value(), p, revision));
                    }
                }).replaceWithVoid());
            }
        }
        return chain.map(v -> out);
    }

    private static MetricWindow window(String projectId, String metric, MetricSeries.Series s, Instant start,
                                       Instant end, double value, MetricSeries.Point p, int revision) {
        return new MetricWindow(SchemaVersions.CURRENT, projectId, metric, s.group(), start, end, value, p.sampleSize(),
                p.quantiles(), revision);
    }

    private Uni<Void> publish(MetricWindow w) {
        String key = w.projectId() + '|' + w.metric() + '|' + w.dimensions();
        return emitter.sendMessage(Message.of(EventJson.encode(w))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
    }
}
