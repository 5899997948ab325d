package dev.loupe.simulator;

import dev.loupe.client.ClientMetrics;
import dev.loupe.common.time.SimulationClock;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Makes the suite come alive: creates a project, then plays {@link Scenario} through the Loupe client as a real
 * product would (an hour of normal history first, then live traffic with incidents, in simulated time that runs
 * faster until it has caught up with the wall clock), listens for the alerts on a webhook, and ends with a
 * summary. Exit status 0 when exactly the scenario's expected alerts fired, 1 otherwise, 2 on bad options.
 */
public final class Simulator {
    /** Instances of the simulated product, each with its own client. */
    static final int REPLICAS = 4;

    private static final DateTimeFormatter HH_MM =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** What a run produced. */
    public record Result(
            DemoProject project,
            long spans,
            long decisions,
            long feedback,
            ClientMetrics client,
            List<FiredAlert> fired,
            List<Scenario.ExpectedAlert> missing,
            List<FiredAlert> unexpected,
            Map<String, Long> regressionCases,
            List<Notification> notifications) {
        public boolean asExpected() {
            return missing.isEmpty() && unexpected.isEmpty();
        }
    }

    private final Options options;
    private final PrintStream out;
    private final Api api = new Api();

    Simulator(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * Exit status: 0 as expected, 1 other alerts than expected, 2 bad options, 3 a service could not be reached.
     * {@code --scenario=soak} runs {@link Soak} instead: 0 when nothing was lost, 1 otherwise.
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.HelpRequested e) {
            System.out.print(e.getMessage());
            System.exit(0);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try {
            if (options.soak()) {
                System.exit(Soak.run(options, System.out));
                return;
            }
            Result result = new Simulator(options, System.out).run();
            System.exit(result.asExpected() ? 0 : 1);
        } catch (Api.Unreachable e) {
            System.err.println("loupe-simulator: " + e.getMessage());
            System.exit(3);
        }
    }

    /** Runs the whole demo; {@code args} as on the command line. For tests. */
    public static Result run(String[] args, PrintStream out) throws Exception {
        return new Simulator(Options.parse(args), out).run();
    }

    Result run() throws Exception {
        Scenario scenario = options.scenario();
        Clock clock = SimulationClock.fromConfig(
                options.lag(),
                options.speed(),
                Optional.of(options.accelerateFrom().toString()));
        Instant origin = options.accelerateFrom().minus(options.lag());
        Instant historyStart = origin.minus(scenario.history());
        Instant end = origin.plus(scenario.length());
        Traffic traffic = new Traffic(options.seed(), scenario, origin);
        try (WebhookReceiver webhook = new WebhookReceiver(
                options.webhookPort(),
                n -> out.printf(
                        "  >> webhook: %s %s %s owner=%s runbook=%s%n",
                        n.status().toUpperCase(), n.alertname(), labelsOf(n), n.owner(), n.runbookUrl()))) {
            DemoProject project = Setup.run(api, options, webhook.url());
            out.printf(
                    "Project %s (%s) created; support-rag evaluated on every decision; alerts go to %s%n",
                    project.name(), project.id(), webhook.url());
            out.printf(
                    "Scenario '%s' (seed %d, %d app instances): %d minutes of history from %s (all four features "
                            + "for the last %d), then %d minutes of live traffic (simulated time, %.0f× as fast until it "
                            + "catches up with the clock)%n",
                    scenario.name(),
                    options.seed(),
                    REPLICAS,
                    scenario.history().toMinutes(),
                    historyStart,
                    scenario.allFeaturesHistory().toMinutes(),
                    scenario.length().toMinutes(),
                    options.speed());
            for (Scenario.Incident i : scenario.incidents()) {
                out.printf(
                        "  at +%d min%s: %s → expect %s%n",
                        i.from(), i.to() == null ? "" : " until +" + i.to(), i.describe(), i.expected());
            }
            Counts counts = new Counts();
            ExecutorService feedbackPool = Executors.newFixedThreadPool(4);
            Replicas app = new Replicas(REPLICAS, options, project);
            if (Instant.now().isAfter(options.accelerateFrom())) {
                out.printf(
                        "Note: simulated time has been running faster since %s, before the simulator started: the "
                                + "first live minutes go out as a backlog%n",
                        options.accelerateFrom());
            }
            try {
                play(traffic, clock, historyStart, end, app, feedbackPool, counts);
                app.flush(Duration.ofSeconds(60));
            } finally {
                feedbackPool.shutdown();
                if (!feedbackPool.awaitTermination(60, TimeUnit.SECONDS)) {
                    int unsent = feedbackPool.shutdownNow().size();
                    counts.feedbackFailed.addAndGet(unsent);
                    out.printf("%d feedback calls were still waiting after 60 s and were not sent%n", unsent);
                }
                app.close();
            }
            return finish(project, scenario, origin, historyStart, app.metrics(), counts, webhook);
        }
    }

    private static final class Counts {
        final AtomicLong spans = new AtomicLong();
        final AtomicLong decisions = new AtomicLong();
        final AtomicLong feedback = new AtomicLong();
        final AtomicLong feedbackFailed = new AtomicLong();
    }

    /** Sends every slice once the simulated clock has passed it; history goes out as fast as the client takes it. */
    private void play(
            Traffic traffic,
            Clock clock,
            Instant from,
            Instant end,
            Replicas app,
            ExecutorService feedbackPool,
            Counts counts)
            throws InterruptedException {
        Instant next = from;
        long lastMinute = Long.MIN_VALUE;
        boolean live = false;
        while (next.isBefore(end)) {
            Instant now = clock.instant();
            if (!next.plus(Traffic.SLICE).isAfter(now)) {
                if (app.metrics().queued() > 20_000) {
                    Thread.sleep(20); // back-fill: let the client catch up rather than drop
                    continue;
                }
                Traffic.Slice slice = traffic.slice(next);
                slice.spans().forEach(s -> app.of(s.traceId()).send(ClientMapping.span(s)));
                slice.decisions().forEach(d -> app.of(d.traceId()).send(ClientMapping.decision(d)));
                counts.spans.addAndGet(slice.spans().size());
                counts.decisions.addAndGet(slice.decisions().size());
                for (Traffic.Feedback f : slice.feedback()) {
                    counts.feedback.incrementAndGet();
                    feedbackPool.submit(() -> {
                        try {
                            app.feedback(ClientMapping.feedback(f));
                        } catch (RuntimeException e) {
                            counts.feedbackFailed.incrementAndGet();
                        }
                    });
                }
                next = next.plus(Traffic.SLICE);
                long minute = (long) Math.floor(traffic.minuteOf(next));
                if (minute != lastMinute && (minute >= 0 || minute % 10 == 0)) {
                    lastMinute = minute;
                    progress(traffic, next, minute, counts, app, live);
                }
                continue;
            }
            if (!live) {
                live = true;
                out.printf("History sent; live from %s (simulated)%n", HH_MM.format(next));
            }
            Thread.sleep(20);
        }
    }

    private void progress(Traffic traffic, Instant at, long minute, Counts counts, Replicas app, boolean live) {
        ClientMetrics m = app.metrics();
        String active = options.scenario().incidents().stream()
                .filter(i -> i.activeAt(traffic.minuteOf(at)))
                .map(Scenario.Incident::describe)
                .collect(Collectors.joining("; "));
        out.printf(
                "[%s %s %+4d min] spans %,d · decisions %,d · feedback %,d · queued %,d · dropped %,d%s%n",
                live ? "live" : "history",
                HH_MM.format(at),
                minute,
                counts.spans.get(),
                counts.decisions.get(),
                counts.feedback.get(),
                m.queued(),
                m.dropped(),
                active.isEmpty() ? "" : " · " + active);
    }

    private Result finish(
            DemoProject project,
            Scenario scenario,
            Instant origin,
            Instant historyStart,
            ClientMetrics metrics,
            Counts counts,
            WebhookReceiver webhook)
            throws InterruptedException {
        out.printf(
                "Scenario played; waiting up to %s for the expected alerts and their notifications…%n",
                options.alertTimeout());
        long deadline = System.nanoTime() + options.alertTimeout().toNanos();
        List<FiredAlert> fired = firedAlerts(project, deadline);
        while (System.nanoTime() < deadline && !missing(scenario, fired).isEmpty()) {
            Thread.sleep(2_000);
            fired = firedAlerts(project, deadline);
        }
        // the webhook hears of an alert a route's groupWait after it fired (late in a loaded run, after the scenario
        // ended): wait for those notifications too, within the same deadline
        while (System.nanoTime() < deadline
                && fired.stream()
                        .anyMatch(f -> webhook.received().stream()
                                .noneMatch(n -> n.alertname().equals(f.ruleId())))) {
            Thread.sleep(1_000);
        }
        List<Scenario.ExpectedAlert> missing = missing(scenario, fired);
        List<FiredAlert> unexpected = fired.stream()
                .filter(f -> scenario.expectedAlerts().stream().noneMatch(f::matches))
                .toList();
        Map<String, Double> spend = Summary.spendPerFeature(api, options, project, historyStart, Instant.now());
        Map<String, Long> cases = Summary.regressionCases(api, options, project);

        out.println();
        out.println("=== Loupe demo summary ===");
        out.printf(
                "Requests: %,d spans and %,d decisions sent (%,d accepted, %,d rejected, %,d dropped, %,d failed, "
                        + "%,d requests, %,d retries); %,d feedback (%,d failed)%n",
                counts.spans.get(),
                counts.decisions.get(),
                metrics.sent(),
                metrics.rejected(),
                metrics.dropped(),
                metrics.failed(),
                metrics.requests(),
                metrics.retries(),
                counts.feedback.get(),
                counts.feedbackFailed.get());
        out.println("Spend per feature (USD):");
        spend.forEach((feature, usd) -> out.printf("  %-12s %10.4f%n", feature, usd));
        out.println("Alerts that fired (simulated time, minutes after the origin):");
        for (FiredAlert f : fired) {
            boolean expected = scenario.expectedAlerts().stream().anyMatch(f::matches);
            out.printf(
                    "  %s %-28s %-45s %s owner=%s severity=%s now %s%n    runbook %s%n",
                    expected ? "✓" : "✗ unexpected",
                    f.ruleId(),
                    f.labels().entrySet().stream()
                            .filter(e -> !List.of("alertname", "severity", "owner", "metric", "category")
                                    .contains(e.getKey()))
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(",", "{", "}")),
                    Summary.minutes(Duration.between(origin, f.firedAt())) + sinceIncident(scenario, origin, f),
                    f.owner(),
                    f.severity(),
                    f.state(),
                    f.runbookUrl());
        }
        missing.forEach(m -> out.printf("  ✗ expected but did not fire: %s%n", m));
        out.printf("Webhook notifications received: %d%n", webhook.received().size());
        out.println("Regression cases created:");
        cases.forEach((dataset, n) -> out.printf("  dataset %-12s %,d cases%n", dataset, n));
        out.printf(
                "Dashboard: %s  project %s (%s); its keys, shown once:%n",
                options.aggregator(), project.name(), project.id());
        out.printf("  admin (admin, read; paste it when the dashboard asks):  %s%n", project.adminKey());
        out.printf(
                "  secret (ingest, read):  %s%n  public (feedback):  %s%n", project.ingestKey(), project.feedbackKey());
        out.println(
                missing.isEmpty() && unexpected.isEmpty()
                        ? "Result: the expected alerts fired, and no others."
                        : "Result: NOT as expected (see ✗ above).");
        return new Result(
                project,
                counts.spans.get(),
                counts.decisions.get(),
                counts.feedback.get(),
                metrics,
                fired,
                missing,
                unexpected,
                cases,
                webhook.received());
    }

    /** ", 4.2 min after its incident began" for an expected alert. */
    private static String sinceIncident(Scenario scenario, Instant origin, FiredAlert f) {
        return scenario.incidents().stream()
                .filter(i -> f.matches(i.expected()))
                .findFirst()
                .map(i -> String.format(
                        " (%.1f min after its incident began)",
                        Duration.between(origin.plus(Duration.ofMinutes(i.from())), f.firedAt())
                                        .toMillis()
                                / 60_000.0))
                .orElse("");
    }

    /** The fired alerts, asking again after a failed read until {@code deadline}. */
    private List<FiredAlert> firedAlerts(DemoProject project, long deadline) throws InterruptedException {
        while (true) {
            try {
                return Summary.firedAlerts(api, options, project);
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                out.printf("reading the alerts failed (%s); asking again%n", e.getMessage());
                Thread.sleep(2_000);
            }
        }
    }

    private static List<Scenario.ExpectedAlert> missing(Scenario scenario, List<FiredAlert> fired) {
        List<Scenario.ExpectedAlert> missing = new ArrayList<>();
        for (Scenario.ExpectedAlert e : scenario.expectedAlerts()) {
            if (fired.stream().noneMatch(f -> f.matches(e))) {
                missing.add(e);
            }
        }
        return missing;
    }

    private static String labelsOf(Notification n) {
        List<String> keep = new ArrayList<>();
        n.labels().properties().forEach(e -> {
            if (!List.of("alertname", "severity", "owner", "metric", "category").contains(e.getKey())) {
                keep.add(e.getKey() + "=" + e.getValue().asText());
            }
        });
        return "{" + String.join(",", keep) + "}";
    }
}
