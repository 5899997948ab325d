package dev.loupe.simulator;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Command-line options ({@code --name=value}); every one has a default that matches {@code bin/loupe up}. The
 * clock options must be the ones the services were started with ({@code LOUPE_CLOCK_*}), so that simulator and
 * services agree on the simulated time.
 */
record Options(
        URI collector,
        URI feedback,
        URI aggregator,
        URI evalRunner,
        URI alertManager,
        String bootstrapToken,
        String project,
        long seed,
        Scenario scenario,
        Duration lag,
        double speed,
        Instant accelerateFrom,
        int webhookPort,
        Duration alertTimeout,
        double spansPerSecond,
        Duration ramp) {

    static final String USAGE = """
            usage: loupe-simulator [--option=value …]
              --collector=URL        trace-collector (default http://127.0.0.1:8081)
              --feedback=URL         feedback-service (default http://127.0.0.1:8084)
              --aggregator=URL       metrics-aggregator (default http://127.0.0.1:8082)
              --eval-runner=URL      eval-runner (default http://127.0.0.1:8083)
              --alert-manager=URL    alert-manager (default http://127.0.0.1:8085)
              --bootstrap-token=T    creates the demo project (required; bin/loupe passes it)
              --project=NAME         project name (default demo)
              --seed=N               traffic seed (default 42): the same seed gives the same traffic
              --scenario=NAME        full (default), shortened, or soak: normal live traffic at a steady rate, no
                                     history, no incident (what bin/loupe soak runs)
              --spans-per-second=N   soak only: the rate the product is scaled to (default 2000)
              --duration=DURATION    soak only: how long it runs at the full rate (default PT30M)
              --ramp=DURATION        soak only: a ramp before that, the rate rising evenly from 0 (default PT0S:
                                     the full rate from the first second)
              --clock-lag=DURATION   how far simulated time starts behind the wall clock (LOUPE_CLOCK_LAG)
              --clock-speed=X        how much faster it runs until it has caught up (LOUPE_CLOCK_SPEED)
              --clock-accelerate-from=INSTANT  when it starts running faster (LOUPE_CLOCK_ACCELERATE_FROM)
              --webhook-port=N       where the demo's alert webhook listens (default 0: any free port)
              --alert-timeout=DURATION  how long to wait for the expected alerts after the scenario (default PT3M)
            """;

    static Options parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested();
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --name=value, got '" + arg + "'\n" + USAGE);
            }
            values.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        Options o;
        boolean soakOptions =
                values.containsKey("spans-per-second") || values.containsKey("duration") || values.containsKey("ramp");
        try {
            Duration soakLength = Duration.parse(
                    Optional.ofNullable(values.remove("duration")).orElse("PT30M"));
            o = new Options(
                    uri(values.remove("collector"), "http://127.0.0.1:8081"),
                    uri(values.remove("feedback"), "http://127.0.0.1:8084"),
                    uri(values.remove("aggregator"), "http://127.0.0.1:8082"),
                    uri(values.remove("eval-runner"), "http://127.0.0.1:8083"),
                    uri(values.remove("alert-manager"), "http://127.0.0.1:8085"),
                    Optional.ofNullable(values.remove("bootstrap-token"))
                            .orElseThrow(() -> new IllegalArgumentException("--bootstrap-token is required")),
                    Optional.ofNullable(values.remove("project")).orElse("demo"),
                    Long.parseLong(Optional.ofNullable(values.remove("seed")).orElse("42")),
                    Scenario.named(
                            Optional.ofNullable(values.remove("scenario")).orElse("full"), soakLength),
                    Duration.parse(
                            Optional.ofNullable(values.remove("clock-lag")).orElse("PT0S")),
                    Double.parseDouble(
                            Optional.ofNullable(values.remove("clock-speed")).orElse("1")),
                    Optional.ofNullable(values.remove("clock-accelerate-from"))
                            .map(Instant::parse)
                            .orElse(Instant.now()),
                    Integer.parseInt(
                            Optional.ofNullable(values.remove("webhook-port")).orElse("0")),
                    Duration.parse(
                            Optional.ofNullable(values.remove("alert-timeout")).orElse("PT3M")),
                    Double.parseDouble(Optional.ofNullable(values.remove("spans-per-second"))
                            .orElse("2000")),
                    Duration.parse(Optional.ofNullable(values.remove("ramp")).orElse("PT0S")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage() + "\n" + USAGE, e);
        }
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + values.keySet() + "\n" + USAGE);
        }
        if (soakOptions && !o.soak()) {
            throw new IllegalArgumentException(
                    "--spans-per-second, --duration and --ramp go with --scenario=soak\n" + USAGE);
        }
        if (o.soak()
                && (!(o.spansPerSecond() > 0)
                        || Double.isInfinite(o.spansPerSecond())
                        || o.scenario().length().isNegative()
                        || o.scenario().length().isZero()
                        || o.ramp().isNegative())) {
            throw new IllegalArgumentException(
                    "--spans-per-second and --duration must be positive, --ramp not negative\n" + USAGE);
        }
        if (!(o.speed() >= 1) || Double.isInfinite(o.speed()) || o.lag().isNegative()) {
            throw new IllegalArgumentException(
                    "--clock-speed must be at least 1 and --clock-lag not negative\n" + USAGE);
        }
        return o;
    }

    /** The soak runs instead of the demo: {@code --scenario=soak}. */
    boolean soak() {
        return scenario.name().equals("soak");
    }

    /** {@code --help}: the usage goes to standard output. */
    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super(USAGE);
        }
    }

    private static URI uri(String value, String fallback) {
        String text = value == null ? fallback : value;
        return URI.create(text.endsWith("/") ? text : text + "/");
    }
}
