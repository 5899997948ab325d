package dev.loupe.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.alerting.AlertingConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped rules' runbook links: built from the configured base, each naming a runbook that exists in
 * docs/runbooks (which metrics-aggregator serves at /runbooks/), and the base defaulting to the dashboard's.
 */
class DefaultRulesRunbooksTest {
    static final Path RUNBOOKS = Path.of("..", "docs", "runbooks");

    @Test
    void everyShippedRuleLinksARunbookThatExistsUnderTheConfiguredBase() throws IOException {
        List<Rule> rules = DefaultRules.load("https://loupe.example.com/runbooks/");
        assertThat(rules).isNotEmpty();
        Set<String> linked = rules.stream()
                .map(rule -> {
                    assertThat(rule.runbookUrl())
                            .as(rule.id())
                            .startsWith("https://loupe.example.com/runbooks/")
                            .doesNotContain("{{")
                            .doesNotContain("runbooks//");
                    String file = rule.runbookUrl().substring("https://loupe.example.com/runbooks/".length());
                    assertThat(RUNBOOKS.resolve(file))
                            .as(rule.id() + " links " + file)
                            .isRegularFile();
                    return file;
                })
                .collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(RUNBOOKS)) {
            Set<String> shipped = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".md") && !f.equals("README.md"))
                    // the chart's operational alerts (PrometheusRule) own loupe-*.md; k8s-tests' ChartTest checks them
                    .filter(f -> !f.startsWith("loupe-"))
                    .collect(Collectors.toSet());
            assertThat(linked)
                    .as("one runbook per shipped rule, and no orphan runbook")
                    .isEqualTo(shipped);
        }
    }

    @Test
    void theBaseDefaultsToTheDashboardsRunbooksAndCanBeSet() {
        assertThat(config(Map.of()).runbookBaseUrl()).isEqualTo("http://localhost:8082/runbooks");
        assertThat(config(Map.of("loupe.alerting.external-url", "https://loupe.example.com"))
                        .runbookBaseUrl())
                .isEqualTo("https://loupe.example.com/runbooks");
        assertThat(config(Map.of(
                                "loupe.alerting.external-url",
                                "https://loupe.example.com",
                                "loupe.alerting.runbook-base-url",
                                "https://wiki.example.com/loupe"))
                        .runbookBaseUrl())
                .isEqualTo("https://wiki.example.com/loupe");
    }

    private static AlertingConfig config(Map<String, String> properties) {
        // with the default interceptors, as Quarkus builds its config: they expand ${...} expressions
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withMapping(AlertingConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build();
        return config.getConfigMapping(AlertingConfig.class);
    }
}
