package dev.loupe.alerting.dispatch;

import dev.loupe.alerting.AlertingConfig;
import dev.loupe.alerting.notify.Delivery;
import dev.loupe.alerting.notify.GroupNotification;
import dev.loupe.alerting.notify.Notifier;
import dev.loupe.alerting.notify.Notifiers;
import dev.loupe.alerting.notify.ReceiverConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Turns alert state into notifications with Alertmanager's semantics, on an injectable clock. What to send
 * is {@link DispatchDecision}'s pure decision; this class does the I/O around it: it loads each project's
 * state, sends what was decided, and stores what was sent per group, so a restart neither repeats a
 * notification nor forgets a resolve. Each delivery runs on its own: a dead receiver is retried with back-off and
 * never holds up the others. Of several replicas, the one holding the {@link DispatchLease} dispatches, and every
 * record of a dispatch is fenced by its token.
 */
@Singleton
public class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    private final DispatchStore store;
    private final DispatchLease lease;
    private final Notifiers notifiers;
    private final AlertingConfig config;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Counter passes;

    public Dispatcher(
            DispatchStore store,
            DispatchLease lease,
            Notifiers notifiers,
            AlertingConfig config,
            Clock clock,
            MeterRegistry registry) {
        this.store = store;
        this.lease = lease;
        this.notifiers = notifiers;
        this.config = config;
        this.clock = clock;
        this.registry = registry;
        this.passes = Counter.builder("loupe.alerting.dispatch.passes")
                .description("dispatch passes completed, each with every delivery it started")
                .register(registry);
    }

    @Scheduled(
            every = "${loupe.alerting.dispatch-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        // not awaited: a receiver that hangs until its timeout must not hold up the next pass for everyone else
        // (the in-flight guard keeps a group from being sent twice meanwhile)
        tick(clock.instant()).subscribe().with(sent -> {}, e -> LOG.errorf(e, "dispatch pass failed"));
    }

    /**
     * One pass as of {@code now}, if this replica holds the dispatcher lease (taken or renewed first, {@link
     * DispatchLease}); completes when every delivery it started has ended. Tests drive time here.
     */
    public Uni<Integer> tick(Instant now) {
        return lease.acquire()
                .chain(token -> token.isPresent()
                        ? pass(now, token.getAsLong())
                        : Uni.createFrom().item(0));
    }

    private Uni<Integer> pass(Instant now, long token) {
        return store.projects()
                .chain(projects -> Multi.createFrom()
                        .iterable(projects)
                        .onItem()
                        .transformToUniAndMerge(project -> store.load(project, now, config.externalUrl())
                                .chain(context -> dispatch(project, context, now, token))
                                // one project's broken data must not stop the others' notifications
                                .onFailure()
                                .recoverWithItem(e -> {
                                    if (e instanceof DispatchLease.LeaseLost) {
                                        LOG.warnf("dispatching project %s stopped: %s", project, e.getMessage());
                                    } else {
                                        LOG.errorf(e, "dispatching project %s failed", project);
                                    }
                                    return 0;
                                }))
                        .collect()
                        .asList()
                        .map(sent -> sent.stream().mapToInt(Integer::intValue).sum()))
                .onItem()
                .invoke(sent -> passes.increment());
    }

    private Uni<Integer> dispatch(String project, DispatchStore.Context context, Instant now, long token) {
        Map<String, String> receiverTypes = new HashMap<>();
        context.receivers().forEach((name, receiver) -> receiverTypes.put(name, receiver.type()));
        String prefix = project + "\u0000";
        Set<String> flying = inFlight.stream()
                .filter(f -> f.startsWith(prefix))
                .map(f -> f.substring(prefix.length()))
                .collect(Collectors.toSet());
        List<DispatchDecision.Step> steps = DispatchDecision.decide(new DispatchDecision.State(
                context.routes(), context.silences(), receiverTypes, context.alerts(), context.groups(), flying, now));
        List<Uni<Integer>> sends = new ArrayList<>();
        for (DispatchDecision.Step step : steps) {
            if (step instanceof DispatchDecision.Send send) {
                sends.add(deliver(project, context, send, now, prefix + send.id(), token));
            } else if (step instanceof DispatchDecision.Start start) {
                sends.add(lease.fenced(token, c -> store.save(c, project, start.group(), null))
                        .replaceWith(0));
            } else if (step instanceof DispatchDecision.Forget forget) {
                sends.add(lease.fenced(token, c -> store.forget(c, project, forget.group()))
                        .replaceWith(0));
            }
        }
        return sends.isEmpty()
                ? Uni.createFrom().item(0)
                : Uni.join()
                        .all(sends)
                        .andCollectFailures()
                        .map(done -> done.stream().mapToInt(Integer::intValue).sum());
    }

    private Uni<Integer> deliver(
            String project,
            DispatchStore.Context context,
            DispatchDecision.Send send,
            Instant now,
            String flight,
            long token) {
        String receiverName = send.receiver();
        ReceiverConfig receiver = context.receivers().get(receiverName);
        Notifier notifier =
                receiver == null ? null : notifiers.find(receiver.type()).orElse(null);
        GroupNotification notification = new GroupNotification(
                project,
                receiverName,
                send.groupKey(),
                send.groupLabels(),
                send.status(),
                send.alerts(),
                config.externalUrl(),
                send.action());
        inFlight.add(flight);
        Uni<Delivery> attempt = notifier == null
                ? Uni.createFrom().item(Delivery.failed("no receiver named " + receiverName + " in this project"))
                : notifier.send(receiver, notification)
                        .onFailure()
                        .recoverWithItem(e -> Delivery.retry(null, e.toString()));
        return attempt.chain(delivery -> {
                    registry.counter(
                                    "loupe.alerting.notifications",
                                    "outcome",
                                    delivery.outcome().name().toLowerCase(),
                                    "action",
                                    send.action().name().toLowerCase())
                            .increment();
                    DispatchDecision.After after = DispatchDecision.afterDelivery(send, delivery, now);
                    if (delivery.outcome() == Delivery.Outcome.RETRY) {
                        LOG.warnf(
                                "notifying %s failed (attempt %d), will retry: %s",
                                receiverName, after.group().attempts(), delivery.detail());
                    } else if (delivery.outcome() == Delivery.Outcome.FAILED) {
                        LOG.errorf("notifying %s failed for good (not retried): %s", receiverName, delivery.detail());
                    }
                    // the attempt and the group's new state in one fenced transaction: a replica that lost the
                    // lease meanwhile records neither, and the new holder sends it again (at least once)
                    return lease.fenced(
                                    token,
                                    c -> store.log(
                                                    c,
                                                    project,
                                                    receiverName,
                                                    send.groupKey(),
                                                    send.action().name(),
                                                    send.status(),
                                                    send.alerts().size(),
                                                    delivery.outcome().name(),
                                                    delivery.detail(),
                                                    now)
                                            .chain(() -> after.forget()
                                                    ? store.forget(c, project, after.group())
                                                    : store.save(c, project, after.group(), after.lastError())))
                            .replaceWith(delivery.outcome() == Delivery.Outcome.DELIVERED ? 1 : 0);
                })
                .onTermination()
                .invoke(() -> inFlight.remove(flight));
    }
}
