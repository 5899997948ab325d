package dev.loupe.alerting.dispatch;

import dev.loupe.alerting.notify.AlertSnapshot;
import dev.loupe.alerting.notify.Delivery;
import dev.loupe.alerting.notify.GroupNotification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The dispatcher's decision for one project, as a pure function: no I/O, no clock of its own. Given what is
 * stored (alerts with their acknowledgements, notification groups with their last sends and back-off, the
 * route tree, active silences, receiver types), which groups have a delivery in flight and the time, {@link
 * #decide} says for every group what to do: send a notification, send an acknowledgement, start the group's
 * wait, forget it, or skip it (and why). {@link #afterDelivery} says what the group's stored state becomes once
 * a delivery ended. {@link Dispatcher} does the reading, sending and writing around the two.
 *
 * <p>The semantics are Alertmanager's: firing alerts (minus silenced ones) are routed to receivers and grouped
 * by the route's {@code groupBy}; a group is notified {@code groupWait} after it forms, {@code groupInterval}
 * after its last notification when its firing set changed (new alerts, or alerts resolved: the resolve is
 * sent), and every {@code repeatInterval} while it keeps firing, unless everything in it is acknowledged. An
 * acknowledgement is passed on once (PagerDuty acts on it). An Alertmanager receiver hears of a firing group at
 * least every {@link #ALERTMANAGER_REPEAT}, since Alertmanager resolves an alert it has not heard of for its
 * {@code resolve_timeout}.
 */
public final class DispatchDecision {
    /** How often an Alertmanager receiver is told again of a group that still fires. */
    public static final Duration ALERTMANAGER_REPEAT = Duration.ofMinutes(1);

    static final String ALERTMANAGER_TYPE = "alertmanager";

    private DispatchDecision() {}

    /**
     * One project's state as a dispatch pass sees it.
     *
     * @param routes        the project's route tree
     * @param silences      its silences (only those active at {@code now} silence anything)
     * @param receiverTypes receiver name to type ({@code webhook}, {@code alertmanager}, …); a name missing here
     *                      is still sent to, and the delivery fails for want of the receiver
     * @param alerts        firing alerts, and resolved ones some group was told were firing; an alert with
     *                      {@code acknowledgedBy} is acknowledged
     * @param groups        stored notification groups by {@link #groupId}
     * @param inFlight      group ids with a delivery still under way
     * @param now           the instant the pass is for
     */
    public record State(
            Route routes,
            List<Silence> silences,
            Map<String, String> receiverTypes,
            List<AlertSnapshot> alerts,
            Map<String, NotificationGroup> groups,
            Set<String> inFlight,
            Instant now) {}

    /** Why a group was left alone this pass. */
    public enum Reason {
        /** A delivery for it is still under way: never two at once. */
        IN_FLIGHT,
        /** Nothing is due yet (waiting, unchanged and repeated recently, all acknowledged, or backing off). */
        NOT_DUE
    }

    /** What to do with one group. {@code id} is the group's {@link #groupId}. */
    public sealed interface Step permits Send, Start, Forget, Skip {
        String id();
    }

    /**
     * Send {@code alerts} to {@code receiver} as one group notification. {@code firing} and {@code acked} are what
     * the receiver will have been told once it is delivered; {@code stored} is the group before the send.
     */
    public record Send(
            String id,
            String receiver,
            String groupKey,
            Map<String, String> groupLabels,
            GroupNotification.Action action,
            String status,
            List<AlertSnapshot> alerts,
            Set<String> firing,
            Set<String> acked,
            NotificationGroup stored)
            implements Step {}

    /** A group formed: store it, so its {@code groupWait} runs from now even across a restart. */
    public record Start(String id, NotificationGroup group) implements Step {}

    /** The group has nothing left to say (its alerts cleared before a notification, or were silenced): drop it. */
    public record Forget(String id, NotificationGroup group) implements Step {}

    /** Leave the group as it is this pass. */
    public record Skip(String id, Reason reason) implements Step {}

    /** What a group's stored state becomes after a delivery: saved with {@code lastError}, or forgotten. */
    public record After(NotificationGroup group, boolean forget, String lastError) {}

    /** The key of a group of one receiver. */
    public static String groupId(String receiver, String groupKey) {
        return receiver + "\u0000" + groupKey;
    }

    private record Group(Route.Target target, String key, Map<String, String> labels, List<AlertSnapshot> firing) {}

    /** Every group's step for this pass, in a stable order: groups of the alerts first, then stored ones. */
    public static List<Step> decide(State state) {
        Instant now = state.now();
        Map<String, AlertSnapshot> byFingerprint = new LinkedHashMap<>();
        state.alerts().forEach(a -> byFingerprint.put(a.fingerprint(), a));
        Map<String, Group> groups = new LinkedHashMap<>();
        for (AlertSnapshot alert : state.alerts()) {
            // resolved alerts are routed too, so the group that was told they fired is found with its timings
            boolean firing = AlertSnapshot.FIRING.equals(alert.status())
                    && state.silences().stream().noneMatch(s -> s.silences(alert.labels(), now));
            for (Route.Target target : state.routes().targets(alert.labels())) {
                Map<String, String> groupLabels = new TreeMap<>();
                target.groupBy().forEach(l -> groupLabels.put(l, alert.labels().getOrDefault(l, "")));
                String key = groupLabels.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",", "{", "}"));
                Group group = groups.computeIfAbsent(
                        groupId(target.receiver(), key), k -> new Group(target, key, groupLabels, new ArrayList<>()));
                if (firing) {
                    group.firing().add(alert);
                }
            }
        }
        // a group whose alerts are all silenced now still owes the receiver an update
        state.groups()
                .forEach((id, stored) -> groups.computeIfAbsent(
                        id,
                        k -> new Group(
                                new Route.Target(
                                        stored.receiver(),
                                        List.of(),
                                        Route.DEFAULT.groupWait(),
                                        Route.DEFAULT.groupInterval(),
                                        Route.DEFAULT.repeatInterval()),
                                stored.groupKey(),
                                Map.of(),
                                new ArrayList<>())));
        List<Step> steps = new ArrayList<>();
        for (Map.Entry<String, Group> entry : groups.entrySet()) {
            String id = entry.getKey();
            Group group = entry.getValue();
            boolean known = state.groups().containsKey(id);
            NotificationGroup stored = known
                    ? state.groups().get(id)
                    : new NotificationGroup(
                            group.target().receiver(), group.key(), now, null, Set.of(), Set.of(), null, 0);
            Set<String> firing =
                    group.firing().stream().map(AlertSnapshot::fingerprint).collect(Collectors.toSet());
            Set<String> acked = group.firing().stream()
                    .filter(a -> a.acknowledgedBy() != null)
                    .map(AlertSnapshot::fingerprint)
                    .collect(Collectors.toSet());
            // Alertmanager resolves an alert it has not heard of for resolve_timeout (5 min): re-send every minute
            boolean keepAlive = ALERTMANAGER_TYPE.equals(
                            state.receiverTypes().get(group.target().receiver()))
                    && group.target().repeatInterval().compareTo(ALERTMANAGER_REPEAT) > 0;
            Duration repeat = keepAlive ? ALERTMANAGER_REPEAT : group.target().repeatInterval();
            Instant due = stored.due(
                    firing, acked, group.target().groupWait(), group.target().groupInterval(), repeat);
            if (keepAlive && !firing.isEmpty() && stored.lastSentAt() != null) {
                // whatever changed or was acknowledged, Alertmanager must hear of a firing alert every minute
                Instant aliveBy = stored.lastSentAt().plus(ALERTMANAGER_REPEAT);
                due = due == null || aliveBy.isBefore(due) ? aliveBy : due;
            }
            boolean backingOff = stored.nextAttemptAt() != null && now.isBefore(stored.nextAttemptAt());
            boolean newAck = !acked.isEmpty()
                    && !stored.sentAcked().containsAll(acked)
                    && stored.lastSentAt() != null
                    && !backingOff;
            if (state.inFlight().contains(id)) {
                steps.add(new Skip(id, Reason.IN_FLIGHT));
            } else if (due != null && !now.isBefore(due)) {
                List<AlertSnapshot> resolved = stored.sentFiring().stream()
                        .filter(fp -> !firing.contains(fp))
                        .map(byFingerprint::get)
                        .filter(a -> a != null && AlertSnapshot.RESOLVED.equals(a.status()))
                        .toList();
                List<AlertSnapshot> all = new ArrayList<>(group.firing());
                all.addAll(resolved);
                if (all.isEmpty()) {
                    // its alerts were silenced, not resolved: Alertmanager says nothing, and neither do we
                    steps.add(new Forget(id, stored));
                } else {
                    steps.add(send(id, group, GroupNotification.Action.NOTIFY, all, firing, acked, stored));
                }
            } else if (known && stored.lastSentAt() == null && firing.isEmpty()) {
                // formed, then everything cleared before its first notification: nothing to say
                steps.add(new Forget(id, stored));
            } else if (newAck) {
                steps.add(send(
                        id,
                        group,
                        GroupNotification.Action.ACKNOWLEDGE,
                        group.firing(),
                        stored.sentFiring(),
                        acked,
                        stored));
            } else if (!known && !firing.isEmpty()) {
                steps.add(new Start(id, stored)); // the group formed: its wait starts now
            } else {
                steps.add(new Skip(id, Reason.NOT_DUE));
            }
        }
        return steps;
    }

    private static Send send(
            String id,
            Group group,
            GroupNotification.Action action,
            List<AlertSnapshot> alerts,
            Set<String> firing,
            Set<String> acked,
            NotificationGroup stored) {
        return new Send(
                id,
                group.target().receiver(),
                group.key(),
                group.labels().isEmpty() ? Map.of() : group.labels(),
                action,
                firing.isEmpty() ? AlertSnapshot.RESOLVED : AlertSnapshot.FIRING,
                List.copyOf(alerts),
                Set.copyOf(firing),
                Set.copyOf(acked),
                stored);
    }

    /**
     * The group's state once {@code send} ended with {@code delivery} at {@code now}: a delivery worth retrying
     * keeps what was sent before and backs off; one delivered, or failed for good (a 4xx: retrying would not
     * help), is done: the group remembers what it told, and a group told that everything resolved is forgotten.
     */
    public static After afterDelivery(Send send, Delivery delivery, Instant now) {
        NotificationGroup stored = send.stored();
        if (delivery.outcome() == Delivery.Outcome.RETRY) {
            int attempts = stored.attempts() + 1;
            return new After(
                    new NotificationGroup(
                            stored.receiver(),
                            stored.groupKey(),
                            stored.firstSeenAt(),
                            stored.lastSentAt(),
                            stored.sentFiring(),
                            stored.sentAcked(),
                            now.plus(NotificationGroup.backoff(attempts, delivery.after())),
                            attempts),
                    false,
                    delivery.detail());
        }
        boolean notify = send.action() == GroupNotification.Action.NOTIFY;
        NotificationGroup sent = new NotificationGroup(
                stored.receiver(),
                stored.groupKey(),
                stored.firstSeenAt(),
                notify ? now : stored.lastSentAt(),
                new HashSet<>(send.firing()),
                notify ? ackedBefore(stored, send.firing()) : new HashSet<>(send.acked()),
                null,
                0);
        return new After(
                sent,
                send.firing().isEmpty() && notify,
                delivery.outcome() == Delivery.Outcome.FAILED ? delivery.detail() : null);
    }

    /** After a notification, acknowledgements not yet passed on stay owed (PagerDuty still needs to hear them). */
    private static Set<String> ackedBefore(NotificationGroup stored, Set<String> firing) {
        Set<String> kept = new HashSet<>(stored.sentAcked());
        kept.retainAll(firing);
        return kept;
    }
}
