package dev.loupe.simulator;

import dev.loupe.client.ClientMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The soak ({@code --scenario=soak}; {@code bin/loupe soak} drives it from e2e's {@code SoakBenchmark}): the demo's
 * product without history or incidents, its turns and sessions scaled to a span rate, played live on the wall
 * clock through the client for a duration. It counts what it sent and what went wrong on its side; whoever runs
 * it watches the services meanwhile.
 */
public final class Soak implements AutoCloseable {
    /** What the soak has done so far. */
    public record Progress(
            Instant at,
            long spans,
            long decisions,
            long feedback,
            long feedbackFailed,
            ClientMetrics client,
            int alertNotifications,
            boolean played,
            Map<String, Long> feedbackFailures) {
        /** The causes of failed feedback calls, most frequent first, as "count × cause". */
        public String feedbackFailureCauses() {
            return feedbackFailures.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> String.format("%,d × %s", e.getValue(), e.getKey()))
                    .collect(Collectors.joining("; "));
        }

        /** Items lost on the app's side: dropped (queue full), rejected, failed, feedback calls that failed. */
        public long errors() {
            return client.dropped() + client.rejected() + client.failed() + feedbackFailed;
        }
    }

    private static final int FEEDBACK_QUEUE = 10_000;

    private final Options options;
    private final PrintStream out;
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong decisions = new AtomicLong();
    private final AtomicLong feedback = new AtomicLong();
    private final AtomicLong feedbackFailed = new AtomicLong();
    /** Why feedback calls failed: the exception's class and message (the 30-minute soak lost 396 to no known cause). */
    private final Map<String, LongAdder> feedbackFailures = new ConcurrentHashMap<>();

    private final AtomicInteger notifications = new AtomicInteger();
    // bounded: a slow feedback-service must show up as failed feedback, not as the simulator's heap growing
    private final ThreadPoolExecutor feedbackPool =
            new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(FEEDBACK_QUEUE));
    private WebhookReceiver webhook;
    private Replicas app;
    private Thread player;
    private volatile Throwable failure;

    private Soak(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Creates the project and starts the traffic; {@code args} as on the command line, with {@code --scenario=soak}. */
    public static Soak start(String[] args, PrintStream out) throws IOException {
        Options options = Options.parse(args);
        if (!options.soak()) {
            throw new IllegalArgumentException("the soak needs --scenario=soak");
        }
        return new Soak(options, out).begin();
    }

    /** The product's scale: how many times the demo's normal traffic makes the requested span rate. */
    static double scaleFor(double spansPerSecond) {
        return spansPerSecond * 60 / Traffic.SPANS_PER_MINUTE;
    }

    private Soak begin() throws IOException {
        webhook = new WebhookReceiver(options.webhookPort(), n -> {
            notifications.incrementAndGet();
            out.printf("  >> alert under normal traffic: %s %s%n", n.status().toUpperCase(), n.alertname());
        });
        DemoProject project = Setup.run(new Api(), options, webhook.url());
        app = new Replicas(Simulator.REPLICAS, options, project);
        Instant origin = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        double scale = scaleFor(options.spansPerSecond());
        Traffic traffic = new Traffic(options.seed(), options.scenario(), origin, scale);
        out.printf(
                "Soak: project %s (%s); %,.0f spans/s (the demo's product × %.1f, seed %d) for %s%s from %s%n",
                project.name(),
                project.id(),
                options.spansPerSecond(),
                scale,
                options.seed(),
                options.scenario().length(),
                options.ramp().isZero() ? "" : " after a ramp of " + options.ramp() + " from 0",
                origin);
        SoakPlayer soak = new SoakPlayer(
                traffic, origin, options.ramp(), options.scenario().length(), new Sink());
        player = new Thread(
                () -> {
                    try {
                        soak.play();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException | Error e) {
                        failure = e;
                    }
                },
                "loupe-soak-player");
        player.setDaemon(true);
        player.start();
        return this;
    }

    /** Sends through the instance that served the trace, as {@code Simulator} does. */
    private final class Sink implements SoakPlayer.Sink {
        @Override
        public void span(Traffic.Span span) {
            app.of(span.traceId()).send(ClientMapping.span(span));
            spans.incrementAndGet();
        }

        @Override
        public void decision(Traffic.Decision decision) {
            app.of(decision.traceId()).send(ClientMapping.decision(decision));
            decisions.incrementAndGet();
        }

        @Override
        public void feedback(Traffic.Feedback f) {
            feedback.incrementAndGet();
            try {
                feedbackPool.execute(() -> {
                    try {
                        app.feedback(ClientMapping.feedback(f));
                    } catch (RuntimeException e) {
                        feedbackFailed(cause(e));
                    }
                });
            } catch (RejectedExecutionException e) {
                feedbackFailed("the simulator's feedback queue was full (" + FEEDBACK_QUEUE + " calls waiting)");
            }
        }
    }

    private void feedbackFailed(String cause) {
        feedbackFailed.incrementAndGet();
        feedbackFailures.computeIfAbsent(cause, c -> new LongAdder()).increment();
    }

    /** A failed call's cause in one line: the exception's class and message, and its cause's, at most 200 characters. */
    static String cause(Throwable e) {
        StringBuilder text = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) {
            text.append(": ").append(e.getMessage().lines().findFirst().orElse(""));
        }
        if (e.getCause() != null && e.getCause() != e) {
            text.append(" (").append(e.getCause().getClass().getSimpleName());
            if (e.getCause().getMessage() != null) {
                text.append(": ")
                        .append(e.getCause().getMessage().lines().findFirst().orElse(""));
            }
            text.append(')');
        }
        return text.length() <= 200 ? text.toString() : text.substring(0, 199) + "…";
    }

    public Progress progress() {
        Map<String, Long> failures = new TreeMap<>();
        feedbackFailures.forEach((cause, n) -> failures.put(cause, n.sum()));
        return new Progress(
                Instant.now(),
                spans.get(),
                decisions.get(),
                feedback.get(),
                feedbackFailed.get(),
                app.metrics(),
                notifications.get(),
                !player.isAlive(),
                Map.copyOf(failures));
    }

    /** Waits for the last slice, then up to a minute for the client and the feedback calls to finish. */
    public Progress await() throws InterruptedException {
        player.join();
        if (failure != null) {
            throw new IllegalStateException("the soak's traffic stopped: " + failure, failure);
        }
        app.flush(Duration.ofSeconds(60));
        feedbackPool.shutdown();
        if (!feedbackPool.awaitTermination(60, TimeUnit.SECONDS)) {
            int unsent = feedbackPool.shutdownNow().size();
            for (int i = 0; i < unsent; i++) {
                feedbackFailed("not sent within a minute of the traffic's end");
            }
        }
        return progress();
    }

    @Override
    public void close() {
        if (player != null) {
            player.interrupt();
        }
        feedbackPool.shutdownNow();
        if (app != null) {
            app.close();
        }
        if (webhook != null) {
            webhook.close();
        }
    }

    /** The command line's soak: a line every 30 s, a summary; 0 when nothing was lost, 1 otherwise. */
    static int run(Options options, PrintStream out) throws Exception {
        try (Soak soak = new Soak(options, out).begin()) {
            Progress last = soak.progress();
            while (!last.played()) {
                Thread.sleep(Math.min(
                        30_000,
                        Math.max(
                                1_000,
                                Duration.between(Instant.now(), last.at().plusSeconds(30))
                                        .toMillis())));
                Progress now = soak.progress();
                out.println(line(last, now));
                last = now;
            }
            Progress end = soak.await();
            ClientMetrics c = end.client();
            out.printf(
                    "Soak done: %,d spans, %,d decisions, %,d feedback sent; the collector acknowledged %,d "
                            + "(%,d requests, %,d retries); lost: %,d dropped, %,d rejected, %,d failed, %,d feedback "
                            + "failed; %d alert notifications%n",
                    end.spans(),
                    end.decisions(),
                    end.feedback(),
                    c.sent(),
                    c.requests(),
                    c.retries(),
                    c.dropped(),
                    c.rejected(),
                    c.failed(),
                    end.feedbackFailed(),
                    end.alertNotifications());
            if (end.feedbackFailed() > 0) {
                out.println("Failed feedback calls by cause: " + end.feedbackFailureCauses());
            }
            return end.errors() == 0 ? 0 : 1;
        }
    }

    /** One progress line: the span rate since the previous one, the totals, what was lost. */
    public static String line(Progress before, Progress now) {
        double seconds = Math.max(0.001, Duration.between(before.at(), now.at()).toMillis() / 1000.0);
        ClientMetrics c = now.client();
        return String.format(
                "[soak] %,.0f spans/s · sent %,d spans %,d decisions %,d feedback · acknowledged %,d · "
                        + "queued %,d · dropped %,d rejected %,d failed %,d · feedback failed %,d · alerts %d",
                (now.spans() - before.spans()) / seconds,
                now.spans(),
                now.decisions(),
                now.feedback(),
                c.sent(),
                c.queued(),
                c.dropped(),
                c.rejected(),
                c.failed(),
                now.feedbackFailed(),
                now.alertNotifications());
    }
}
