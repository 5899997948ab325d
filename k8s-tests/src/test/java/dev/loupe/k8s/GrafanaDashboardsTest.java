package dev.loupe.k8s;

import static dev.loupe.k8s.ChartFixture.CHART;
import static dev.loupe.k8s.ChartFixture.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.k8s.ChartFixture.Rendered;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Grafana dashboards in k8s/loupe/dashboards and the ConfigMaps that provision them. */
class GrafanaDashboardsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static List<Path> dashboardFiles() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("dashboards"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void everyDashboardIsValidJsonWithPanelsScopedToTheProject() throws IOException {
        List<Path> files = dashboardFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(2);
        List<String> uids = new ArrayList<>();
        for (Path file : files) {
            JsonNode d = JSON.readTree(file.toFile()); // throws on invalid JSON
            uids.add(d.path("uid").asText());
            assertThat(d.path("title").asText()).as(file + " title").isNotBlank();
            List<JsonNode> panels = new ArrayList<>();
            d.path("panels").forEach(p -> {
                if (!p.path("type").asText().equals("row")) {
                    panels.add(p);
                }
            });
            assertThat(panels).as(file + " panels").hasSizeGreaterThan(3);
            List<String> variables = new ArrayList<>();
            d.path("templating")
                    .path("list")
                    .forEach(v -> variables.add(v.path("name").asText()));
            assertThat(variables).as(file + " variables").contains("project_id", "datasource");
            for (JsonNode panel : panels) {
                assertThat(panel.path("targets").size())
                        .as(panel.path("title").asText())
                        .isPositive();
                for (JsonNode target : panel.path("targets")) {
                    String sql = target.path("rawSql").asText();
                    assertThat(sql)
                            .as(panel.path("title").asText() + " is scoped to $project_id")
                            .contains("'$project_id'");
                    assertThat(sql).as(panel.path("title").asText()).containsIgnoringCase("select");
                }
            }
        }
        assertThat(uids).doesNotHaveDuplicates().doesNotContain("");
    }

    @Test
    void configMapsRenderOnlyWhenEnabledOnePerDashboardForTheSidecar() throws IOException {
        assertThat(dashboardConfigMaps(render())).isEmpty();

        Rendered on = render("grafana: {dashboards: {enabled: true, annotations: {grafana_folder: Loupe}}}");
        List<JsonNode> maps = dashboardConfigMaps(on);
        assertThat(maps).hasSize(dashboardFiles().size());
        for (JsonNode cm : maps) {
            assertThat(cm.path("metadata")
                            .path("labels")
                            .path("grafana_dashboard")
                            .asText())
                    .isEqualTo("1");
            assertThat(cm.path("metadata")
                            .path("annotations")
                            .path("grafana_folder")
                            .asText())
                    .isEqualTo("Loupe");
            assertThat(cm.path("data").size()).isEqualTo(1);
            var entry = cm.path("data").properties().iterator().next();
            // the ConfigMap carries the file unchanged
            String file = Files.readString(CHART.resolve("dashboards").resolve(entry.getKey()));
            assertThat(JSON.readTree(entry.getValue().asText())).isEqualTo(JSON.readTree(file));
        }

        Rendered elsewhere = render("grafana: {dashboards: {enabled: true, namespace: monitoring}}");
        assertThat(dashboardConfigMaps(elsewhere))
                .allSatisfy(
                        cm -> assertThat(cm.path("metadata").path("namespace").asText())
                                .isEqualTo("monitoring"));
        assertThat(ChartFixture.lint("grafana: {dashboards: {enabled: true}}").isFailed())
                .isFalse();
    }

    @Test
    void theDashboardReachesAlertManagerAndEvalRunnerInTheCluster() {
        Rendered r = render();
        JsonNode data = r.get("ConfigMap", "loupe-metrics-aggregator").path("data");
        assertThat(data.path("LOUPE_DASHBOARD_ALERT_MANAGER_URL").asText())
                .isEqualTo("http://loupe-alert-manager:8085");
        assertThat(data.path("LOUPE_DASHBOARD_EVAL_RUNNER_URL").asText()).isEqualTo("http://loupe-eval-runner:8083");
        JsonNode egress =
                r.get("NetworkPolicy", "loupe-metrics-aggregator").path("spec").path("egress");
        List<String> peers = new ArrayList<>();
        egress.forEach(rule -> rule.path("to")
                .forEach(to -> peers.add(to.path("podSelector")
                        .path("matchLabels")
                        .path("app.kubernetes.io/component")
                        .asText())));
        assertThat(peers).contains("alert-manager", "eval-runner");
    }

    static List<JsonNode> dashboardConfigMaps(Rendered r) {
        return r.ofKind("ConfigMap").stream()
                .filter(cm -> Rendered.component(cm).equals("grafana-dashboards"))
                .toList();
    }
}
