package dev.loupe.alerting.alerts;

import dev.loupe.contracts.events.AlertEvent;
import dev.loupe.contracts.json.EventJson;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes every state change to {@code loupe.alerts.v1} (key fingerprint) from the transitions table, an
 * outbox: a transition is stored with the alert's new state, published after the commit, then marked; what
 * a crash or a broker outage left unmarked is published by the relay, so no state change is lost.
 */
@Singleton
public class AlertPublisher {
    public static final String CHANNEL = "alerts-out";
    private static final Logger LOG = Logger.getLogger(AlertPublisher.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    private static final String UNPUBLISHED = """
            select seq, event::text as event from alerting.alert_transitions
            where published_at is null and recorded_at < now() - interval '10 seconds' order by seq limit 500""";

    private final MutinyEmitter<String> emitter;
    private final Pool pool;

    public AlertPublisher(@Channel(CHANNEL) MutinyEmitter<String> emitter, Pool pool) {
        this.emitter = emitter;
        this.pool = pool;
    }

    /** Publishes stored transitions in order and marks them; a failure leaves them to the relay. */
    public Uni<Void> publish(List<RuleEngine.Pending> pending) {
        if (pending.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = pending.stream().map(p -> send(p.event())).toList();
        return Uni.join()
                .all(sends)
                .andFailFast()
                .ifNoItem()
                .after(ACK_TIMEOUT)
                .fail()
                .chain(() -> pool.preparedQuery(
                                "update alerting.alert_transitions set published_at = now() where seq = any($1)")
                        .execute(Tuple.of(
                                pending.stream().map(RuleEngine.Pending::seq).toArray(Long[]::new))))
                .replaceWithVoid()
                .onFailure()
                .recoverWithUni(e -> {
                    LOG.warnf(
                            "alert events not acknowledged by Kafka (%s); the relay publishes them later",
                            e.toString());
                    return Uni.createFrom().voidItem();
                });
    }

    @Scheduled(
            every = "${loupe.alerting.relay-interval:15s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "30s")
    Uni<Void> relay() {
        return pool.query(UNPUBLISHED).execute().chain(rows -> {
            List<RuleEngine.Pending> pending = new ArrayList<>();
            rows.forEach(row -> pending.add(new RuleEngine.Pending(
                    row.getLong("seq"), EventJson.decode(row.getString("event"), AlertEvent.class))));
            if (!pending.isEmpty()) {
                LOG.infof("publishing %d alert state changes left unpublished", pending.size());
            }
            return publish(pending);
        });
    }

    private Uni<Void> send(AlertEvent event) {
        return emitter.sendMessage(Message.of(EventJson.encode(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(event.fingerprint())
                        .build()));
    }
}
