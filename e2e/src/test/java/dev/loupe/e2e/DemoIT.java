package dev.loupe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.simulator.Simulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo, shortened: a stack of its own on simulated time (28 minutes behind, 12× as fast until it catches up),
 * the simulator's "shortened" scenario (40 minutes of history, then a failing tool and a model update) through the
 * Loupe client, and the shipped alert rules as they are. Exactly the two expected alerts fire, with owner and
 * runbook, and reach the webhook; nothing else fires.
 */
class DemoIT {
    static final int LAG_MINUTES = 28;
    static final double SPEED = 12;

    @Test
    void theShortenedScenarioFiresExactlyTheExpectedAlerts() throws Exception {
        Instant accelerateFrom = Instant.now().plusSeconds(45).truncatedTo(ChronoUnit.SECONDS);
        Map<String, String> clock = Map.of(
                "LOUPE_CLOCK_LAG",
                "PT" + LAG_MINUTES + "M",
                "LOUPE_CLOCK_SPEED",
                Double.toString(SPEED),
                "LOUPE_CLOCK_ACCELERATE_FROM",
                accelerateFrom.toString(),
                "LOUPE_WINDOWS_INTERVAL",
                "2s");
        try (LoupeStack stack = LoupeStack.start(
                List.of(
                        LoupeStack.AGGREGATOR,
                        LoupeStack.COLLECTOR,
                        LoupeStack.EVALS,
                        LoupeStack.FEEDBACK,
                        LoupeStack.ALERTS),
                clock)) {
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(new TeeStream(captured), true, StandardCharsets.UTF_8);
            Simulator.Result result = Simulator.run(
                    new String[] {
                        "--collector=" + stack.url(LoupeStack.COLLECTOR),
                        "--feedback=" + stack.url(LoupeStack.FEEDBACK),
                        "--aggregator=" + stack.url(LoupeStack.AGGREGATOR),
                        "--eval-runner=" + stack.url(LoupeStack.EVALS),
                        "--alert-manager=" + stack.url(LoupeStack.ALERTS),
                        "--bootstrap-token=" + stack.bootstrapToken(),
                        "--project=demo-it",
                        "--scenario=shortened",
                        "--seed=7",
                        "--clock-lag=PT" + LAG_MINUTES + "M",
                        "--clock-speed=" + SPEED,
                        "--clock-accelerate-from=" + accelerateFrom,
                        "--alert-timeout=PT2M"
                    },
                    out);

            assertThat(result.missing()).as("expected alerts that did not fire").isEmpty();
            assertThat(result.unexpected())
                    .as("alerts that should not have fired")
                    .isEmpty();
            assertThat(result.fired())
                    .extracting(dev.loupe.simulator.FiredAlert::ruleId)
                    .containsExactlyInAnyOrder("tool-error-rate-high", "eval-pass-rate-drop");
            assertThat(result.fired()).allSatisfy(f -> {
                assertThat(f.owner()).isNotBlank();
                assertThat(f.runbookUrl()).endsWith(f.ruleId() + ".md");
            });
            assertThat(result.notifications())
                    .extracting(n -> n.alertname())
                    .contains("tool-error-rate-high", "eval-pass-rate-drop");
            assertThat(result.client().dropped()).isZero();
            assertThat(result.client().failed()).isZero();
            assertThat(result.client().sent()).isEqualTo(result.spans() + result.decisions());
            assertThat(result.regressionCases()).containsKey("support-rag");
            assertThat(captured.toString(StandardCharsets.UTF_8))
                    .contains("=== Loupe demo summary ===")
                    .contains("Result: the expected alerts fired, and no others.");
        }
    }

    /** Prints to the test output and keeps a copy. */
    private static final class TeeStream extends java.io.OutputStream {
        private final ByteArrayOutputStream copy;

        TeeStream(ByteArrayOutputStream copy) {
            this.copy = copy;
        }

        @Override
        public void write(int b) {
            copy.write(b);
            System.out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            copy.write(b, off, len);
            System.out.write(b, off, len);
        }
    }
}
