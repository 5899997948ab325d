package dev.loupe.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.e2e.LoupeStackAccess;
import dev.loupe.simulator.Soak;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The soak behind {@code bin/loupe soak} (runs only with {@code -Pbenchmark}; not part of CI): the whole stack as
 * separate processes with the benchmark's JVM flags, the simulator's product scaled to a span rate and played live
 * through the client for a duration, the stack sampled meanwhile (heap, committed heap, RSS, consumer lag, errors)
 * and the visibility of marker traces of its own measured ({@link SoakMarkers}). Writes
 * {@code e2e/target/benchmarks/soak.md} and then fails when the verdict does (memory not flat, lag over the limit,
 * visibility p99 over the limit or a marker lost, anything lost).
 */
class SoakBenchmark {
    static final double MINUTES = Double.parseDouble(System.getProperty("soak.minutes", "30"));
    /** Minutes before {@link #MINUTES} whose rate rises evenly from 0 (the simulator's {@code --ramp}); judged too. */
    static final double RAMP_MINUTES = Double.parseDouble(System.getProperty("soak.ramp-minutes", "0"));

    static final double SPANS_PER_SECOND = Double.parseDouble(System.getProperty("soak.spans-per-second", "2000"));
    static final Duration INTERVAL = Duration.ofSeconds(Long.getLong("soak.sample-seconds", 30));
    /** Forced full GCs over the run (at evenly spaced samples, the first and the last included). */
    static final int FORCED_GCS = Integer.getInteger("soak.forced-gcs", 12);

    /** One marker trace every so often while the traffic runs; lost when not queryable within the give-up time. */
    static final Duration MARKER_EVERY = Duration.ofSeconds(Long.getLong("soak.visibility-seconds", 5));

    static final Duration MARKER_GIVE_UP = Duration.ofSeconds(60);
    static final String PROJECT = "soak";
    static final Duration DRAIN = Duration.ofSeconds(Long.getLong("soak.drain-seconds", 120));
    static final SoakVerdict.Limits LIMITS = new SoakVerdict.Limits(
            Double.parseDouble(System.getProperty("soak.heap-slope-mib-per-minute", "1")),
            Double.parseDouble(System.getProperty("soak.rss-slope-mib-per-minute", "2")),
            Long.getLong("soak.lag-limit", 10_000),
            Double.parseDouble(System.getProperty("soak.min-judged-minutes", "10")),
            Double.parseDouble(System.getProperty("soak.visibility-p99-limit-ms", "5000")));

    @Test
    void soak() throws Exception {
        Duration length = Duration.ofSeconds(Math.round(MINUTES * 60));
        Duration ramp = Duration.ofSeconds(Math.round(RAMP_MINUTES * 60));
        long samples = Math.max(1, length.plus(ramp).toSeconds() / INTERVAL.toSeconds());
        long gcEvery = Math.max(1, samples / FORCED_GCS);
        try (LoupeStackAccess stack = LoupeStackAccess.full();
                KafkaWatch kafka = new KafkaWatch(stack.kafkaBootstrap());
                Soak soak = Soak.start(
                        new String[] {
                            "--collector=" + stack.url("trace-collector"),
                            "--feedback=" + stack.url("feedback-service"),
                            "--aggregator=" + stack.url("metrics-aggregator"),
                            "--eval-runner=" + stack.url("eval-runner"),
                            "--alert-manager=" + stack.url("alert-manager"),
                            "--bootstrap-token=" + stack.bootstrapToken(),
                            "--project=" + PROJECT,
                            "--scenario=soak",
                            "--spans-per-second=" + SPANS_PER_SECOND,
                            "--duration=" + length,
                            "--ramp=" + ramp
                        },
                        System.out);
                SoakMarkers markers = SoakMarkers.start(stack, PROJECT, MARKER_EVERY, MARKER_GIVE_UP)) {
            SoakSampler sampler = new SoakSampler(stack, kafka, soak);
            log(String.format(
                    "sampling every %d s, a forced full GC every %d samples, a visibility marker every %d s%s",
                    INTERVAL.toSeconds(),
                    gcEvery,
                    MARKER_EVERY.toSeconds(),
                    sampler.canForceGc() ? "" : " (no jcmd in this Java: heap after natural major GCs only)"));
            List<SoakSample> taken = new ArrayList<>();
            long begun = System.nanoTime();
            SoakSample before = null;
            boolean played = false;
            for (long i = 0; !played; i++) {
                played = soak.progress().played();
                // the last look while the traffic runs gets a forced GC too: it ends the fitted window
                SoakSample s = sampler.sample(played || i % gcEvery == 0);
                taken.add(s);
                log(SoakReport.line(s, before));
                before = s;
                long due = begun + (i + 1) * INTERVAL.toNanos(); // a fixed rate: a slow sample shifts no other
                while (!played && System.nanoTime() < due && !soak.progress().played()) {
                    Thread.sleep(200);
                }
            }
            markers.stop(); // markers only while the traffic ran; those accepted are watched during the drain
            soak.await(); // the client's queue and the feedback calls finish; then the broker drains
            long drainBegun = System.nanoTime();
            SoakSample drained = sampler.sample(false);
            while (drained.lagTotal() > 0 && System.nanoTime() - drainBegun < DRAIN.toNanos()) {
                Thread.sleep(2_000);
                drained = sampler.sample(false);
            }
            double drainSeconds = (System.nanoTime() - drainBegun) / 1e9;
            log(String.format("lag after %.0f s of drain: %,d", drainSeconds, drained.lagTotal()));
            SoakVisibility visibility = markers.finish();
            log(visibility.describe());
            SoakVerdict verdict = new SoakVerdict(LIMITS, taken, MINUTES + RAMP_MINUTES, drained, visibility);
            String report =
                    SoakReport.markdown(settings(length, ramp, postgres(stack)), taken, drained, drainSeconds, verdict);
            Path out = Path.of("target/benchmarks/soak.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            System.out.println("\n=== Soak ===\n" + report);
            assertThat(verdict.failures())
                    .as("the soak's verdict (report: %s)", out.toAbsolutePath())
                    .isEmpty();
        }
    }

    /** The server's settings the figures depend on (bin/loupe soak sets some of them for the run). */
    private static String postgres(LoupeStackAccess stack) throws SQLException {
        try (Connection db = DriverManager.getConnection(
                stack.database().jdbcUrl(),
                stack.database().settings().user(),
                stack.database().settings().password())) {
            return ServerSettings.describe(db);
        }
    }

    private static String settings(Duration length, Duration ramp, String postgres) {
        return String.format(
                "Soak: %,.0f spans/s for %d min%s (the simulator's product, seed 42, through the Java "
                        + "client), sampled every %d s. Machine: %d cores, %s, %s; JVM %s; service JVM args: %s; %s; "
                        + "the simulator, broker, five services and PostgreSQL share the machine.",
                SPANS_PER_SECOND,
                length.toMinutes(),
                ramp.isZero()
                        ? ", from a cold start"
                        : String.format(" after a ramp of %s min from 0 (judged too)", ramp.toSeconds() / 60.0),
                INTERVAL.toSeconds(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                IngestBenchmark.cpuModel(),
                System.getProperty("java.version"),
                System.getProperty("loupe.e2e.jvm-args", "(test defaults)"),
                postgres);
    }

    private static void log(String line) {
        System.out.println(line.startsWith("[soak]") ? line : "[soak] " + line);
    }
}
