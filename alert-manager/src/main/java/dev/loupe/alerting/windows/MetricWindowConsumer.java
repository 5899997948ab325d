package dev.loupe.alerting.windows;

import dev.loupe.alerting.alerts.AlertPublisher;
import dev.loupe.alerting.alerts.RuleEngine;
import dev.loupe.common.kafka.ConsumerFaults;
import dev.loupe.common.kafka.DeadLetters;
import dev.loupe.common.kafka.FailureKind;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.json.EventJson;
import dev.loupe.contracts.json.UnreadableRecordException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Keeps the closed windows of {@code loupe.metric-windows.v1} in {@code alerting.metric_windows}, one row per
 * window and dimension set, where a later revision replaces an earlier one and a stale one is ignored, then
 * judges each stored window against the project's rules ({@link RuleEngine}) and publishes the state changes.
 * A window it cannot read (or that the database refuses for its data) goes to {@code loupe.metric-windows.v1.dlq};
 * anything else that fails holds the record, and with it the channel, until it is lifted ({@link ConsumerFaults}).
 */
@ApplicationScoped
public class MetricWindowConsumer {
    public static final String CHANNEL = "windows-in";
    private static final Logger LOG = Logger.getLogger(MetricWindowConsumer.class);
    private static final String UPSERT = """
            insert into alerting.metric_windows (project_id, metric, dimensions_key, dimensions, window_start,
                window_end, value, sample_size, quantiles, revision)
            values ($1, $2, $3, $4::text::jsonb, $5, $6, $7, $8, $9::text::jsonb, $10)
            on conflict (project_id, metric, dimensions_key, window_start) do update
                set window_end = excluded.window_end, value = excluded.value, sample_size = excluded.sample_size,
                    quantiles = excluded.quantiles, revision = excluded.revision, received_at = now()
                where excluded.revision > alerting.metric_windows.revision
            returning project_id""";

    private final Pool pool;
    private final RuleEngine engine;
    private final AlertPublisher publisher;
    private final MeterRegistry registry;
    private final ConsumerFaults faults;
    private final DeadLetters deadLetters;

    public MetricWindowConsumer(
            Pool pool,
            RuleEngine engine,
            AlertPublisher publisher,
            MeterRegistry registry,
            ConsumerFaults faults,
            DeadLetters deadLetters) {
        this.pool = pool;
        this.faults = faults;
        this.deadLetters = deadLetters;
        this.engine = engine;
        this.publisher = publisher;
        this.registry = registry;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(ConsumerRecord<String, String> record) {
        return faults.hold(CHANNEL, () -> consume(record.value()))
                .onFailure(FailureKind::isPoison)
                .recoverWithUni(e -> deadLetters.send(record, e.getMessage()));
    }

    /** Stores, judges and publishes one window; fails with a poison failure when the window is the problem. */
    Uni<Void> consume(String payload) {
        MetricWindow window = EventJson.decode(payload, MetricWindow.class);
        if (window.metric() == null || window.windowStart() == null || window.windowEnd() == null) {
            throw new UnreadableRecordException("MetricWindow without metric, windowStart or windowEnd");
        }
        Map<String, String> dimensions = window.dimensions() == null ? Map.of() : window.dimensions();
        String key = dimensionsKey(dimensions);
        Tuple row = Tuple.from(new Object[] {
            window.projectId(),
            window.metric(),
            key,
            EventJson.encode(dimensions),
            window.windowStart().atOffset(ZoneOffset.UTC),
            window.windowEnd().atOffset(ZoneOffset.UTC),
            window.value(),
            window.sampleSize(),
            window.quantiles() == null ? null : EventJson.encode(window.quantiles()),
            window.revision()
        });
        return pool.preparedQuery(UPSERT)
                .execute(row)
                .invoke(() -> {
                    registry.counter("loupe.alerting.windows.received").increment();
                    LOG.debugf(
                            "window %s %s %s = %s", window.metric(), dimensions, window.windowStart(), window.value());
                })
                // judged even when the row was already there: a crash between storing and judging redelivers it
                // (the engine judges a series' newest window only, and an alert never twice for one window)
                .chain(stored -> Uni.createFrom()
                        .deferred(() -> engine.judge(window, key))
                        .chain(publisher::publish));
    }

    /** A canonical text form of a dimension set: keys sorted, {@code feature=a,model=b}. */
    static String dimensionsKey(Map<String, String> dimensions) {
        return new TreeMap<>(dimensions)
                .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}
