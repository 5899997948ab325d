package dev.loupe.alerting.dispatch;

import dev.loupe.alerting.AlertingConfig;
import dev.loupe.alerting.notify.AlertSnapshot;
import dev.loupe.alerting.notify.Delivery;
import dev.loupe.alerting.notify.GroupNotification;
import dev.loupe.alerting.notify.Notifier;
import dev.loupe.alerting.notify.Notifiers;
import dev.loupe.alerting.notify.ReceiverConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Turns alert state into notifications with Alertmanager's semantics, on an injectable clock: firing alerts
 * (minus silenced ones) are routed to receivers and grouped by the route's {@code groupBy}; a group is
 * notified {@code groupWait} after it forms, {@code groupInterval} after its last notification when its
 * firing set changed (new alerts, or alerts resolved: the resolve is sent), and every {@code repeatInterval}
 * while it keeps firing, unless everything in it is acknowledged. An acknowledgement is passed on once
 * (PagerDuty acts on it). What was sent is stored per group, so a restart neither repeats a notification
 * nor forgets a resolve. Each delivery runs on its own: a dead receiver is retried with back-off and
 * never holds up the others. One replica dispatches (see the README).
 */
@Singleton
public class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class);
    static final java.time.Duration ALERTMANAGER_REPEAT = java.time.Duration.ofMinutes(1);

    private final DispatchStore store;
    private final Notifiers notifiers;
    private final AlertingConfig config;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    public Dispatcher(DispatchStore store, Notifiers notifiers, AlertingConfig config, Clock clock,
                      MeterRegistry registry) {
        this.store = store;
        this.notifiers = notifiers;
        this.config = config;
        this.clock = clock;
        this.registry = registry;
    }

    @Scheduled(every = "${loupe.alerting.dispatch-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        // not awaited: a receiver that hangs until its timeout must not hold up the next pass for everyone else
        // (the in-flight guard keeps a group from being sent twice meanwhile)
        tick(clock.instant()).subscribe().with(sent -> { }, e -> LOG.errorf(e, "dispatch pass failed"));
    }

    /** One pass as of {@code now}; completes when every delivery it started has ended. Tests drive time here. */
    public Uni<Integer> tick(Instant now) {
        return store.projects().chain(projects -> Multi.createFrom().iterable(projects)
                .onItem().transformToUniAndMerge(project -> store.load(project, now, config.externalUrl())
                        .chain(context -> dispatch(project, context, now))
                        // one project's broken data must not stop the others' notifications
                        .onFailure().recoverWithItem(e -> {
                            LOG.errorf(e, "dispatching project %s failed", project);
                            return 0;
                        }))
                .collect().asList()
                .map(sent -> sent.stream().mapToInt(Integer::intValue).sum()));
    }

    private record Group(Route.Target target, String key, Map<String, String> labels, List<AlertSnapshot> firing) {
    }

    private Uni<Integer> dispatch(String project, DispatchStore.Context context, Instant now) {
        Map<String, AlertSnapshot> byFingerprint = new LinkedHashMap<>();
        context.alerts().forEach(a -> byFingerprint.put(a.fingerprint(), a));
        Map<String, Group> groups = new LinkedHashMap<>();
        for (AlertSnapshot alert : context.alerts()) {
            // resolved alerts are routed too, so the group that was told they fired is found with its timings
            boolean firing = AlertSnapshot.FIRING.equals(alert.status())
                    && context.silences().stream().noneMatch(s -> s.silences(alert.labels(), now));
            for (Route.Target target : context.routes().targets(alert.labels())) {
                Map<String, String> groupLabels = new TreeMap<>();
                target.groupBy().forEach(l -> groupLabels.put(l, alert.labels().getOrDefault(l, "")));
                String key = groupLabels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",", "{", "}"));
                Group group = groups.computeIfAbsent(target.receiver() + "\u0000" + key,
                        k -> new Group(target, key, groupLabels, new ArrayList<>()));
                if (firing) {
                    group.firing().add(alert);
                }
            }
        }
        // a group whose alerts are all silenced now still owes the receiver an update
        context.groups().forEach((id, stored) -> groups.computeIfAbsent(id, k -> new Group(
                new Route.Target(stored.receiver(), List.of(), Route.DEFAULT.groupWait(), Route.DEFAULT.groupInterval(),
                        Route.DEFAULT.repeatInterval()), stored.groupKey(), Map.of(), new ArrayList<>())));
        List<Uni<Integer>> sends = new ArrayList<>();
        for (Map.Entry<String, Group> entry : groups.entrySet()) {
            Group group = entry.getValue();
            NotificationGroup stored = context.groups().getOrDefault(entry.getKey(), new NotificationGroup(
                    group.target().receiver(), group.key(), now, null, Set.of(), Set.of(), null, 0));
            Set<String> firing = group.firing().stream().map(AlertSnapshot::fingerprint).collect(Collectors.toSet());
            Set<String> acked = group.firing().stream().filter(a -> a.acknowledgedBy() != null)
                    .map(AlertSnapshot::fingerprint).collect(Collectors.toSet());
            ReceiverConfig receiver = context.receivers().get(group.target().receiver());
            // Alertmanager resolves an alert it has not heard of for resolve_timeout (5 min): re-send every minute
            java.time.Duration repeat = receiver != null && "alertmanager".equals(receiver.type())
                    && group.target().repeatInterval().compareTo(ALERTMANAGER_REPEAT) > 0
                    ? ALERTMANAGER_REPEAT : group.target().repeatInterval();
            Instant due = stored.due(firing, acked, group.target().groupWait(), group.target().groupInterval(), repeat);
            if (repeat == ALERTMANAGER_REPEAT && !firing.isEmpty() && stored.lastSentAt() != null) {
                // whatever changed or was acknowledged, Alertmanager must hear of a firing alert every minute
                Instant keepAlive = stored.lastSentAt().plus(ALERTMANAGER_REPEAT);
                due = due == null || keepAlive.isBefore(due) ? keepAlive : due;
            }
            boolean backingOff = stored.nextAttemptAt() != null && now.isBefore(stored.nextAttemptAt());
            boolean newAck = !acked.isEmpty() && !stored.sentAcked().containsAll(acked) && stored.lastSentAt() != null
                    && !backingOff;
            String flight = project + "\u0000" + entry.getKey();
            if (inFlight.contains(flight)) {
                continue;
            }
            if (due != null && !now.isBefore(due)) {
                List<AlertSnapshot> resolved = stored.sentFiring().stream().filter(fp -> !firing.contains(fp))
                        .map(byFingerprint::get).filter(a -> a != null && AlertSnapshot.RESOLVED.equals(a.status()))
                        .toList();
                List<AlertSnapshot> all = new ArrayList<>(group.firing());
                all.addAll(resolved);
                if (all.isEmpty()) {
                    // its alerts were silenced, not resolved: Alertmanager says nothing, and neither do we
                    sends.add(store.forget(project, stored).replaceWith(0));
                    continue;
                }
                sends.add(deliver(project, context, group, stored, all, firing, acked, GroupNotification.Action.NOTIFY,
                        now, flight));
            } else if (context.groups().containsKey(entry.getKey()) && stored.lastSentAt() == null && firing.isEmpty()) {
                // formed, then everything cleared before its first notification: nothing to say
                sends.add(store.forget(project, stored).replaceWith(0));
            } else if (newAck) {
                sends.add(deliver(project, context, group, stored, group.firing(), stored.sentFiring(), acked,
                        GroupNotification.Action.ACKNOWLEDGE, now, flight));
            } else if (!context.groups().containsKey(entry.getKey()) && !firing.isEmpty()) {
                sends.add(store.save(project, stored, null).replaceWith(0)); // the group formed: its wait starts now
            }
        }
        return sends.isEmpty() ? Uni.createFrom().item(0)
                : Uni.join().all(sends).andCollectFailures().map(done -> done.stream().mapToInt(Integer::intValue).sum());
    }

    /** After a notification, acknowledgements not yet passed on stay owed (PagerDuty still needs to hear them). */
    private static Set<String> ackedBefore(NotificationGroup stored, Set<String> firing) {
        Set<String> kept = new HashSet<>(stored.sentAcked());
        kept.retainAll(firing);
        return kept;
    }

    private Uni<Integer> deliver(String project, DispatchStore.Context context, Group group, NotificationGroup stored,
                                 List<AlertSnapshot> alerts, Set<String> firing, Set<String> acked,
                                 GroupNotification.Action action, Instant now, String flight) {
        String receiverName = group.target().receiver();
        ReceiverConfig receiver = context.receivers().get(receiverName);
        Notifier notifier = receiver == null ? null : notifiers.find(receiver.type()).orElse(null);
        String status = firing.isEmpty() ? AlertSnapshot.RESOLVED : AlertSnapshot.FIRING;
        GroupNotification notification = new GroupNotification(project, receiverName, group.key(),
                group.labels().isEmpty() ? Map.of() : group.labels(), status, alerts, config.externalUrl(), action);
        inFlight.add(flight);
        Uni<Delivery> attempt = notifier == null
                ? Uni.createFrom().item(Delivery.failed("no receiver named " + receiverName + " in this project"))
                : notifier.send(receiver, notification).onFailure().recoverWithItem(e -> Delivery.retry(null, e.toString()));
        return attempt.chain(delivery -> {
            registry.counter("loupe.alerting.notifications", "outcome", delivery.outcome().name().toLowerCase(),
                    "action", action.name().toLowerCase()).increment();
            Uni<Void> logged = store.log(project, receiverName, group.key(), action.name(), status, alerts.size(),
                    delivery.outcome().name(), delivery.detail(), now);
            if (delivery.outcome() == Delivery.Outcome.RETRY) {
                int attempts = stored.attempts() + 1;
                LOG.warnf("notifying %s failed (attempt %d), will retry: %s", receiverName, attempts, delivery.detail());
                return logged.chain(() -> store.save(project, new NotificationGroup(stored.receiver(), stored.groupKey(),
                        stored.firstSeenAt(), stored.lastSentAt(), stored.sentFiring(), stored.sentAcked(),
                        now.plus(NotificationGroup.backoff(attempts, delivery.after())), attempts), delivery.detail()))
                        .replaceWith(0);
            }
            if (delivery.outcome() == Delivery.Outcome.FAILED) {
                LOG.errorf("notifying %s failed for good (not retried): %s", receiverName, delivery.detail());
            }
            // delivered, or failed for good (a 4xx: retrying would not help): this notification is done
            NotificationGroup sent = new NotificationGroup(stored.receiver(), stored.groupKey(), stored.firstSeenAt(),
                    action == GroupNotification.Action.NOTIFY ? now : stored.lastSentAt(), new HashSet<>(firing),
                    action == GroupNotification.Action.ACKNOWLEDGE ? new HashSet<>(acked) : ackedBefore(stored, firing),
                    null, 0);
            Uni<Void> saved = firing.isEmpty() && action == GroupNotification.Action.NOTIFY
                    ? store.forget(project, sent) : store.save(project, sent, delivery.outcome() == Delivery.Outcome
                    .FAILED ? delivery.detail() : null);
            return logged.chain(() -> saved).replaceWith(delivery.outcome() == Delivery.Outcome.DELIVERED ? 1 : 0);
        }).onTermination().invoke(() -> inFlight.remove(flight));
    }
}
