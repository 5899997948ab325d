package dev.loupe.alerting.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.alerting.dispatch.DispatchDecision.After;
import dev.loupe.alerting.dispatch.DispatchDecision.Send;
import dev.loupe.alerting.dispatch.DispatchDecision.State;
import dev.loupe.alerting.dispatch.DispatchDecision.Step;
import dev.loupe.alerting.notify.AlertSnapshot;
import dev.loupe.alerting.notify.Delivery;
import dev.loupe.alerting.notify.GroupNotification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dispatcher's decision as a table: each row names a behaviour, gives the state (alerts, stored groups,
 * routes, silences, deliveries in flight, the time) and the exact steps expected, one line per group:
 * {@code notify|acknowledge <receiver> <groupKey> <status> <fingerprint>:<status>…}, {@code start …},
 * {@code forget …} or {@code skip in_flight|not_due …}. No database, no clock: {@link DispatchDecision} is pure.
 */
class DispatchDecisionTest {
    private static final Instant T0 = Instant.parse("2026-11-21T08:00:00Z");
    private static final String CPU = "{alertname=cpu}";
    /** receiver hook, grouped by alertname, groupWait 30 s, groupInterval 5 min, repeatInterval 4 h. */
    private static final Route ROUTE = route(List.of("alertname"), Duration.ofMinutes(5), Duration.ofHours(4));

    static Stream<Arguments> decisions() {
        return Stream.of(
                // grouping
                row(
                        "a new group is stored, not sent: its groupWait starts now",
                        given().firing("a1").at(T0),
                        "start hook {alertname=cpu}"),
                row(
                        "groupWait not over: nothing is sent",
                        given().firing("a1").formed(CPU, T0).at(T0.plusSeconds(29)),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "groupWait over: the whole group travels in one notification",
                        given().firing("a1")
                                .firing("a2", "host=h2")
                                .formed(CPU, T0)
                                .at(T0.plusSeconds(30)),
                        "notify hook {alertname=cpu} firing a1:firing a2:firing"),
                row(
                        "group_by labels split alerts into groups of their own",
                        given().route(route(List.of("alertname", "host"), Duration.ofMinutes(5), Duration.ofHours(4)))
                                .firing("a1", "host=h1")
                                .firing("a2", "host=h2")
                                .at(T0),
                        "start hook {alertname=cpu,host=h1}",
                        "start hook {alertname=cpu,host=h2}"),
                row(
                        "an alert without a group_by label is grouped under its empty value",
                        given().route(route(List.of("alertname", "team"), Duration.ofMinutes(5), Duration.ofHours(4)))
                                .firing("a1")
                                .at(T0),
                        "start hook {alertname=cpu,team=}"),
                row(
                        "a group that changed waits groupInterval after its last notification",
                        given().firing("a1")
                                .firing("a2")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plus(Duration.ofMinutes(5)).minusSeconds(1)),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "a group that changed is sent whole once groupInterval passed",
                        given().firing("a1")
                                .firing("a2")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plus(Duration.ofMinutes(5))),
                        "notify hook {alertname=cpu} firing a1:firing a2:firing"),
                row(
                        "a route with continue sends the alert to each matching child's receiver",
                        given().route(new Route(
                                        "hook",
                                        Map.of(),
                                        List.of("alertname"),
                                        Duration.ofSeconds(30),
                                        Duration.ofMinutes(5),
                                        Duration.ofHours(4),
                                        false,
                                        List.of(
                                                new Route(
                                                        "db",
                                                        Map.of("team", "db"),
                                                        null,
                                                        null,
                                                        null,
                                                        null,
                                                        true,
                                                        List.of()),
                                                new Route(
                                                        "pager",
                                                        Map.of("team", "db"),
                                                        null,
                                                        null,
                                                        null,
                                                        null,
                                                        false,
                                                        List.of()))))
                                .firing("a1", "team=db")
                                .firing("a2", "team=web")
                                .at(T0),
                        "start db {alertname=cpu}",
                        "start pager {alertname=cpu}",
                        "start hook {alertname=cpu}"),

                // silences
                row(
                        "a matching active silence: the group is not even started",
                        given().firing("a1")
                                .silence(T0.minusSeconds(60), T0.plusSeconds(3600), "alertname=cpu")
                                .at(T0),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "an expired silence silences nothing",
                        given().firing("a1")
                                .silence(T0.minusSeconds(3600), T0, "alertname=cpu")
                                .at(T0),
                        "start hook {alertname=cpu}"),
                row(
                        "a silence not yet started silences nothing",
                        given().firing("a1")
                                .silence(T0.plusSeconds(1), T0.plusSeconds(3600), "alertname=cpu")
                                .at(T0),
                        "start hook {alertname=cpu}"),
                row(
                        "a partial silence: only the alerts it matches are held back from the group",
                        given().firing("a1", "host=h1")
                                .firing("a2", "host=h2")
                                .formed(CPU, T0)
                                .silence(T0, T0.plusSeconds(3600), "host=h1")
                                .at(T0.plusSeconds(30)),
                        "notify hook {alertname=cpu} firing a2:firing"),
                row(
                        "a silence matches only when every matcher does",
                        given().firing("a1", "host=h1")
                                .formed(CPU, T0)
                                .silence(T0, T0.plusSeconds(3600), "alertname=cpu", "host=h9")
                                .at(T0.plusSeconds(30)),
                        "notify hook {alertname=cpu} firing a1:firing"),
                row(
                        "a regex matcher silences every label value it fully matches",
                        given().firing("a1", "host=h1")
                                .firing("a2", "host=h22")
                                .firing("a3", "host=x1")
                                .formed(CPU, T0)
                                .silence(T0, T0.plusSeconds(3600), "host=~h.*")
                                .at(T0.plusSeconds(30)),
                        "notify hook {alertname=cpu} firing a3:firing"),
                row(
                        "a negated matcher silences the alerts that differ",
                        given().firing("a1", "host=h1")
                                .firing("a2", "host=h2")
                                .formed(CPU, T0)
                                .silence(T0, T0.plusSeconds(3600), "host!=h1")
                                .at(T0.plusSeconds(30)),
                        "notify hook {alertname=cpu} firing a1:firing"),
                row(
                        "silencing a notified group sends no false resolve: the group is forgotten",
                        given().firing("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .silence(T0, T0.plus(Duration.ofHours(1)), "alertname=cpu")
                                .at(T0.plus(Duration.ofMinutes(5))),
                        "forget hook {alertname=cpu}"),
                row(
                        "a silenced group is kept until groupInterval, then forgotten",
                        given().firing("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .silence(T0, T0.plus(Duration.ofHours(1)), "alertname=cpu")
                                .at(T0.plus(Duration.ofMinutes(4))),
                        "skip not_due hook {alertname=cpu}"),

                // acknowledgement
                row(
                        "a new acknowledgement is passed on once, without waiting for an interval",
                        given().acked("a1", "bob")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plusSeconds(10)),
                        "acknowledge hook {alertname=cpu} firing a1:firing"),
                row(
                        "an acknowledgement passed on is not passed on again",
                        given().acked("a1", "bob")
                                .sent(CPU, T0, Set.of("a1"), Set.of("a1"))
                                .at(T0.plusSeconds(10)),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "everything acknowledged: no repeat after repeatInterval",
                        given().acked("a1", "bob")
                                .sent(CPU, T0, Set.of("a1"), Set.of("a1"))
                                .at(T0.plus(Duration.ofHours(5))),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "partly acknowledged: the repeat still comes",
                        given().acked("a1", "bob")
                                .firing("a2")
                                .sent(CPU, T0, Set.of("a1", "a2"), Set.of("a1"))
                                .at(T0.plus(Duration.ofHours(4))),
                        "notify hook {alertname=cpu} firing a1:firing a2:firing"),
                row(
                        "an acknowledged group whose state changes is notified again",
                        given().acked("a1", "bob")
                                .firing("a2")
                                .sent(CPU, T0, Set.of("a1"), Set.of("a1"))
                                .at(T0.plus(Duration.ofMinutes(5))),
                        "notify hook {alertname=cpu} firing a1:firing a2:firing"),
                row(
                        "an acknowledgement waits for a back-off in progress",
                        given().acked("a1", "bob")
                                .backingOff(CPU, T0, Set.of("a1"), T0.plusSeconds(60))
                                .at(T0.plusSeconds(10)),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "an acknowledgement before the first notification is not passed on alone",
                        given().acked("a1", "bob").formed(CPU, T0).at(T0.plusSeconds(10)),
                        "skip not_due hook {alertname=cpu}"),

                // in flight
                row(
                        "a group with a delivery in flight is not sent a second time",
                        given().firing("a1")
                                .formed(CPU, T0)
                                .inFlight("hook", CPU)
                                .at(T0.plusSeconds(30)),
                        "skip in_flight hook {alertname=cpu}"),
                row(
                        "another group's delivery in flight does not hold this one",
                        given().firing("a1")
                                .formed(CPU, T0)
                                .inFlight("hook", "{alertname=disk}")
                                .at(T0.plusSeconds(30)),
                        "notify hook {alertname=cpu} firing a1:firing"),
                row(
                        "an acknowledgement waits while a delivery is in flight",
                        given().acked("a1", "bob")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .inFlight("hook", CPU)
                                .at(T0.plusSeconds(10)),
                        "skip in_flight hook {alertname=cpu}"),

                // keep-alive / repeat interval
                row(
                        "a still-firing unchanged group is not repeated before repeatInterval",
                        given().firing("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plus(Duration.ofHours(4)).minusSeconds(1)),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "a still-firing unchanged group is repeated after repeatInterval",
                        given().firing("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plus(Duration.ofHours(4))),
                        "notify hook {alertname=cpu} firing a1:firing"),
                row(
                        "an Alertmanager receiver hears of a firing group every minute",
                        given().type("hook", "alertmanager")
                                .firing("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plusSeconds(60)),
                        "notify hook {alertname=cpu} firing a1:firing"),
                row(
                        "an Alertmanager receiver is kept alive even when all is acknowledged",
                        given().type("hook", "alertmanager")
                                .acked("a1", "bob")
                                .sent(CPU, T0, Set.of("a1"), Set.of("a1"))
                                .at(T0.plusSeconds(60)),
                        "notify hook {alertname=cpu} firing a1:firing"),
                row(
                        "an Alertmanager keep-alive does not wait out groupInterval for a change",
                        given().type("hook", "alertmanager")
                                .firing("a1")
                                .firing("a2")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plusSeconds(60)),
                        "notify hook {alertname=cpu} firing a1:firing a2:firing"),
                row(
                        "an Alertmanager keep-alive is not sent within the minute",
                        given().type("hook", "alertmanager")
                                .firing("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plusSeconds(59)),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "a back-off in progress holds a due repeat",
                        given().firing("a1")
                                .backingOff(
                                        CPU,
                                        T0,
                                        Set.of("a1"),
                                        T0.plus(Duration.ofHours(4)).plusSeconds(8))
                                .at(T0.plus(Duration.ofHours(4))),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "a due repeat is retried once the back-off is over",
                        given().firing("a1")
                                .backingOff(
                                        CPU,
                                        T0,
                                        Set.of("a1"),
                                        T0.plus(Duration.ofHours(4)).plusSeconds(8))
                                .at(T0.plus(Duration.ofHours(4)).plusSeconds(8)),
                        "notify hook {alertname=cpu} firing a1:firing"),

                // resolved notifications
                row(
                        "a resolved alert is told after groupInterval, as resolved",
                        given().resolved("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plus(Duration.ofMinutes(5))),
                        "notify hook {alertname=cpu} resolved a1:resolved"),
                row(
                        "a resolve waits for groupInterval",
                        given().resolved("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plus(Duration.ofMinutes(5)).minusSeconds(1)),
                        "skip not_due hook {alertname=cpu}"),
                row(
                        "one of two resolved: the group still fires and carries the resolved one",
                        given().firing("a1")
                                .resolved("a2")
                                .sent(CPU, T0, Set.of("a1", "a2"), Set.of())
                                .at(T0.plus(Duration.ofMinutes(5))),
                        "notify hook {alertname=cpu} firing a1:firing a2:resolved"),
                row(
                        "a resolve of an acknowledged alert is told too",
                        given().resolved("a1")
                                .sent(CPU, T0, Set.of("a1"), Set.of("a1"))
                                .at(T0.plus(Duration.ofMinutes(5))),
                        "notify hook {alertname=cpu} resolved a1:resolved"),
                row(
                        "cleared before its first notification: the group is forgotten silently",
                        given().formed(CPU, T0).at(T0.plusSeconds(10)),
                        "forget hook {alertname=cpu}"),
                row(
                        "an alert resolved that this group never told is not sent",
                        given().firing("a1")
                                .resolved("a2")
                                .sent(CPU, T0, Set.of("a1"), Set.of())
                                .at(T0.plus(Duration.ofMinutes(5))),
                        "skip not_due hook {alertname=cpu}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decides(String behaviour, State state, List<String> expected) {
        assertThat(DispatchDecision.decide(state).stream()
                        .map(DispatchDecisionTest::describe)
                        .toList())
                .as(behaviour)
                .containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> deliveries() {
        Instant now = T0.plus(Duration.ofMinutes(5));
        NotificationGroup told = group(CPU, T0.minusSeconds(30), T0, Set.of("a1"), Set.of("a1", "a9"), null, 0);
        NotificationGroup failing = group(CPU, T0.minusSeconds(30), T0, Set.of("a1"), Set.of(), now.minusSeconds(2), 2);
        return Stream.of(
                row(
                        "a delivered notification is remembered: sent now, what fired, no back-off",
                        notify(failing, Set.of("a1", "a2"), Set.of()),
                        Delivery.delivered("200"),
                        now,
                        new After(
                                group(CPU, T0.minusSeconds(30), now, Set.of("a1", "a2"), Set.of(), null, 0),
                                false,
                                null)),
                row(
                        "a notification keeps the acknowledgements passed on for alerts that still fire",
                        notify(told, Set.of("a1", "a2"), Set.of("a1")),
                        Delivery.delivered("200"),
                        now,
                        new After(
                                group(CPU, T0.minusSeconds(30), now, Set.of("a1", "a2"), Set.of("a1"), null, 0),
                                false,
                                null)),
                row(
                        "a delivered resolve of everything: the group is done and forgotten",
                        notify(told, Set.of(), Set.of()),
                        Delivery.delivered("200"),
                        now,
                        new After(group(CPU, T0.minusSeconds(30), now, Set.of(), Set.of(), null, 0), true, null)),
                row(
                        "a delivered acknowledgement: acks remembered, the repeat clock untouched",
                        acknowledge(told, Set.of("a1", "a2"), Set.of("a1", "a2")),
                        Delivery.delivered("200"),
                        now,
                        new After(
                                group(CPU, T0.minusSeconds(30), T0, Set.of("a1", "a2"), Set.of("a1", "a2"), null, 0),
                                false,
                                null)),
                row(
                        "worth retrying: what was told stays, the back-off doubles (third attempt: 4 s)",
                        notify(failing, Set.of("a1", "a2"), Set.of()),
                        Delivery.retry(null, "503"),
                        now,
                        new After(
                                group(CPU, T0.minusSeconds(30), T0, Set.of("a1"), Set.of(), now.plusSeconds(4), 3),
                                false,
                                "503")),
                row(
                        "worth retrying with a longer Retry-After: the receiver's wait wins",
                        notify(told, Set.of("a1"), Set.of()),
                        Delivery.retry(Duration.ofSeconds(90), "429"),
                        now,
                        new After(
                                group(
                                        CPU,
                                        T0.minusSeconds(30),
                                        T0,
                                        Set.of("a1"),
                                        Set.of("a1", "a9"),
                                        now.plusSeconds(90),
                                        1),
                                false,
                                "429")),
                row(
                        "failed for good: done like a delivery, the error kept",
                        notify(failing, Set.of("a1"), Set.of()),
                        Delivery.failed("400 bad payload"),
                        now,
                        new After(
                                group(CPU, T0.minusSeconds(30), now, Set.of("a1"), Set.of(), null, 0),
                                false,
                                "400 bad payload")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deliveries")
    void afterDelivery(String behaviour, Send send, Delivery delivery, Instant now, After expected) {
        assertThat(DispatchDecision.afterDelivery(send, delivery, now))
                .as(behaviour)
                .isEqualTo(expected);
    }

    // --- the table's vocabulary

    private static Arguments row(String behaviour, State state, String... expected) {
        return Arguments.of(behaviour, state, List.of(expected));
    }

    private static Arguments row(String behaviour, Send send, Delivery delivery, Instant now, After expected) {
        return Arguments.of(behaviour, send, delivery, now, expected);
    }

    private static Send notify(NotificationGroup stored, Set<String> firing, Set<String> acked) {
        return new Send(
                DispatchDecision.groupId(stored.receiver(), stored.groupKey()),
                stored.receiver(),
                stored.groupKey(),
                Map.of(),
                GroupNotification.Action.NOTIFY,
                firing.isEmpty() ? AlertSnapshot.RESOLVED : AlertSnapshot.FIRING,
                List.of(),
                firing,
                acked,
                stored);
    }

    private static Send acknowledge(NotificationGroup stored, Set<String> firing, Set<String> acked) {
        return new Send(
                DispatchDecision.groupId(stored.receiver(), stored.groupKey()),
                stored.receiver(),
                stored.groupKey(),
                Map.of(),
                GroupNotification.Action.ACKNOWLEDGE,
                AlertSnapshot.FIRING,
                List.of(),
                firing,
                acked,
                stored);
    }

    private static Route route(List<String> groupBy, Duration groupInterval, Duration repeatInterval) {
        return new Route(
                "hook", Map.of(), groupBy, Duration.ofSeconds(30), groupInterval, repeatInterval, false, List.of());
    }

    private static NotificationGroup group(
            String key,
            Instant firstSeen,
            Instant lastSent,
            Set<String> firing,
            Set<String> acked,
            Instant nextAttempt,
            int attempts) {
        return new NotificationGroup("hook", key, firstSeen, lastSent, firing, acked, nextAttempt, attempts);
    }

    private static String describe(Step step) {
        String group = step.id().replace('\u0000', ' ');
        if (step instanceof Send send) {
            return send.action().name().toLowerCase() + " " + group + " " + send.status()
                    + send.alerts().stream()
                            .map(a -> " " + a.fingerprint() + ":" + a.status())
                            .sorted()
                            .collect(Collectors.joining());
        } else if (step instanceof DispatchDecision.Start) {
            return "start " + group;
        } else if (step instanceof DispatchDecision.Forget) {
            return "forget " + group;
        }
        return "skip " + ((DispatchDecision.Skip) step).reason().name().toLowerCase() + " " + group;
    }

    private static Given given() {
        return new Given();
    }

    /** A project's state, built up row by row; every alert is {@code alertname=cpu} plus the labels given. */
    private static final class Given {
        private Route routes = ROUTE;
        private final List<Silence> silences = new ArrayList<>();
        private final Map<String, String> types = new HashMap<>(Map.of("hook", "webhook"));
        private final List<AlertSnapshot> alerts = new ArrayList<>();
        private final Map<String, NotificationGroup> groups = new LinkedHashMap<>();
        private final Set<String> inFlight = new HashSet<>();

        Given route(Route route) {
            this.routes = route;
            return this;
        }

        Given type(String receiver, String type) {
            types.put(receiver, type);
            return this;
        }

        Given firing(String fingerprint, String... labels) {
            return alert(fingerprint, AlertSnapshot.FIRING, null, labels);
        }

        Given resolved(String fingerprint, String... labels) {
            return alert(fingerprint, AlertSnapshot.RESOLVED, null, labels);
        }

        Given acked(String fingerprint, String by, String... labels) {
            return alert(fingerprint, AlertSnapshot.FIRING, by, labels);
        }

        /** A group stored when it formed at {@code firstSeen}, not yet notified. */
        Given formed(String key, Instant firstSeen) {
            return stored(group(key, firstSeen, null, Set.of(), Set.of(), null, 0));
        }

        /** A group last notified at {@code lastSent} of {@code firing}, having passed on {@code acked}. */
        Given sent(String key, Instant lastSent, Set<String> firing, Set<String> acked) {
            return stored(group(key, lastSent.minusSeconds(30), lastSent, firing, acked, null, 0));
        }

        /** A group last notified at {@code lastSent}, whose next delivery failed and waits until {@code next}. */
        Given backingOff(String key, Instant lastSent, Set<String> firing, Instant next) {
            return stored(group(key, lastSent.minusSeconds(30), lastSent, firing, Set.of(), next, 3));
        }

        /** Matchers {@code name=value}, {@code name!=value} or {@code name=~regex}. */
        Given silence(Instant startsAt, Instant endsAt, String... matchers) {
            List<Silence.Matcher> parsed = Arrays.stream(matchers)
                    .map(m -> {
                        if (m.contains("!=")) {
                            return new Silence.Matcher(
                                    m.substring(0, m.indexOf("!=")), m.substring(m.indexOf("!=") + 2), false, false);
                        } else if (m.contains("=~")) {
                            return new Silence.Matcher(
                                    m.substring(0, m.indexOf("=~")), m.substring(m.indexOf("=~") + 2), true, true);
                        }
                        return new Silence.Matcher(
                                m.substring(0, m.indexOf('=')), m.substring(m.indexOf('=') + 1), null, null);
                    })
                    .toList();
            silences.add(new Silence("s" + silences.size(), parsed, startsAt, endsAt, "bob", "test"));
            return this;
        }

        Given inFlight(String receiver, String key) {
            inFlight.add(DispatchDecision.groupId(receiver, key));
            return this;
        }

        State at(Instant now) {
            return new State(
                    routes,
                    List.copyOf(silences),
                    Map.copyOf(types),
                    List.copyOf(alerts),
                    Map.copyOf(groups),
                    Set.copyOf(inFlight),
                    now);
        }

        private Given stored(NotificationGroup group) {
            groups.put(DispatchDecision.groupId(group.receiver(), group.groupKey()), group);
            return this;
        }

        private Given alert(String fingerprint, String status, String acknowledgedBy, String... labels) {
            Map<String, String> all = new TreeMap<>(Map.of("alertname", "cpu"));
            for (String label : labels) {
                all.put(label.substring(0, label.indexOf('=')), label.substring(label.indexOf('=') + 1));
            }
            alerts.add(new AlertSnapshot(
                    fingerprint,
                    "cpu",
                    status,
                    all,
                    Map.of(),
                    T0.minusSeconds(60),
                    AlertSnapshot.RESOLVED.equals(status) ? T0 : null,
                    "http://localhost:8082/alerts/" + fingerprint,
                    "warning",
                    "team-a",
                    "http://localhost:8082/runbooks/cpu.md",
                    "cpu high",
                    1.0,
                    0.5,
                    null,
                    acknowledgedBy));
            return this;
        }

        @Override
        public String toString() {
            return alerts.size() + " alerts, " + groups.size() + " groups";
        }
    }
}
