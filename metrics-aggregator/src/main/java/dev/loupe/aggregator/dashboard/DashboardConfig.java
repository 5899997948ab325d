package dev.loupe.aggregator.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Where the dashboard's forwarded calls go ({@code loupe.dashboard.*}); the page itself talks only to this service. */
@ConfigMapping(prefix = "loupe.dashboard")
public interface DashboardConfig {
    /** alert-manager's base URL: acknowledgements, silences and rules are forwarded there. */
    @WithDefault("http://127.0.0.1:8085")
    String alertManagerUrl();

    /** eval-runner's base URL: the regression datasets are forwarded there. */
    @WithDefault("http://127.0.0.1:8083")
    String evalRunnerUrl();

    /** How long a forwarded call may take before the answer is 503. */
    @WithDefault("5s")
    Duration forwardTimeout();

    /** The dashboard says "Data is N s behind" once the span pipeline is behind by more than this. */
    @WithDefault("30s")
    Duration staleAfter();
}
