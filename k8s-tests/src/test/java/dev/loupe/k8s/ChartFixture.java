package dev.loupe.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The chart in k8s/loupe, rendered and linted through helm-java (the Helm engine in-process). */
final class ChartFixture {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path CHART = REPO.resolve("k8s/loupe");
    static final YAMLMapper YAML = new YAMLMapper();

    /** The five services: values key, component name, port. */
    static final Map<String, String> SERVICES = Map.of(
            "traceCollector", "trace-collector",
            "metricsAggregator", "metrics-aggregator",
            "evalRunner", "eval-runner",
            "feedbackService", "feedback-service",
            "alertManager", "alert-manager");

    /** Secret values the tests give, none of which may appear in a ConfigMap. */
    static final String TEST_SECRETS_YAML = """
            secrets:
              tenancyPepper: pepper-5f1e0c9a-SECRET
              identifiersSecret: identifiers-77b2d1-SECRET
              bootstrapToken: bootstrap-3c9e11-SECRET
              postgresqlUsername: loupe-user-SECRET
              postgresqlPassword: db-password-a61f-SECRET
              kafkaSaslUsername: kafka-user-SECRET
              kafkaSaslPassword: kafka-password-0d2b-SECRET
              judgeApiKey: sk-judge-9e8d-SECRET
              smtpPassword: smtp-password-4411-SECRET
            kafka:
              securityProtocol: SASL_SSL
              saslMechanism: SCRAM-SHA-512
            judge:
              baseUrl: https://api.openai.com/v1
            alerting:
              externalUrl: https://loupe.example.com
              smtp:
                host: smtp.example.com
                username: alerts
            """;

    private ChartFixture() {}

    /** helm template with the chart's values.yaml overlaid by the given YAML documents, in order. */
    static Rendered render(String... valuesYaml) {
        try {
            var cmd = new Helm(CHART).template().withName("loupe").withNamespace("observability");
            // helm-java's template has no cluster, and its lookup fails instead of returning nothing
            List<String> files = new ArrayList<>(List.of("secrets: {lookupExisting: false}"));
            files.addAll(List.of(valuesYaml));
            for (String values : files) {
                Path file = Files.createTempFile("values-", ".yaml");
                Files.writeString(file, values);
                file.toFile().deleteOnExit();
                cmd = cmd.withValuesFile(file);
            }
            return Rendered.parse(cmd.call());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * helm lint --strict of a copy of the chart whose values.yaml is the chart's own deep-merged with the
     * given YAML (helm-java's lint takes no values file): what an install with those values would lint as.
     */
    static LintResult lint(String overrideYaml) {
        try {
            Path copy = Files.createTempDirectory("loupe-chart-");
            try (Stream<Path> files = Files.walk(CHART)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path target = copy.resolve(CHART.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target);
                    }
                }
            }
            copy = copy.resolve(""); // the chart directory name does not matter to lint
            if (overrideYaml != null && !overrideYaml.isBlank()) {
                ObjectNode values =
                        (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
                merge(values, YAML.readTree(overrideYaml));
                YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
            }
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void merge(ObjectNode target, JsonNode override) {
        for (Map.Entry<String, JsonNode> e : override.properties()) {
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    /** The documents of one rendering. */
    record Rendered(String text, List<JsonNode> docs) {

        static Rendered parse(String text) throws IOException {
            List<JsonNode> docs = new ArrayList<>();
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && doc.isObject() && doc.has("kind")) {
                        docs.add(doc);
                    }
                }
            }
            return new Rendered(text, docs);
        }

        List<JsonNode> ofKind(String kind) {
            return docs.stream()
                    .filter(d -> kind.equals(d.path("kind").asText()))
                    .toList();
        }

        Optional<JsonNode> find(String kind, String name) {
            return ofKind(kind).stream()
                    .filter(d -> name.equals(d.path("metadata").path("name").asText()))
                    .findFirst();
        }

        JsonNode get(String kind, String name) {
            return find(kind, name).orElseThrow(() -> new AssertionError(kind + " " + name + " not rendered"));
        }

        static String name(JsonNode doc) {
            return doc.path("metadata").path("name").asText();
        }

        static String component(JsonNode doc) {
            return doc.path("metadata")
                    .path("labels")
                    .path("app.kubernetes.io/component")
                    .asText();
        }
    }
}
