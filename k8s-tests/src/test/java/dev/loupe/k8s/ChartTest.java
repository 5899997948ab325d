package dev.loupe.k8s;

import static dev.loupe.k8s.ChartFixture.REPO;
import static dev.loupe.k8s.ChartFixture.SERVICES;
import static dev.loupe.k8s.ChartFixture.TEST_SECRETS_YAML;
import static dev.loupe.k8s.ChartFixture.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import dev.loupe.k8s.ChartFixture.Rendered;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChartTest {
    static final KubernetesSerialization K8S = new KubernetesSerialization();
    static final Set<String> CRD_KINDS = Set.of("KafkaTopic", "ServiceMonitor", "PrometheusRule");

    static final Map<String, Integer> PORTS = Map.of(
            "trace-collector",
            8081,
            "metrics-aggregator",
            8082,
            "eval-runner",
            8083,
            "feedback-service",
            8084,
            "alert-manager",
            8085);

    /** The collector's OTLP/gRPC port (values.yaml {@code services.traceCollector.grpcPort}). */
    static final int GRPC_PORT = 4317;

    static final Map<String, String> VARIATIONS = Map.of(
            "default", "",
            "timescaledb", "timescaledb: {enabled: true}",
            "strimzi", "kafka: {strimzi: {enabled: true, clusterName: prod}}",
            "autoscalingOff", """
                    services:
                      traceCollector: {autoscaling: {enabled: false}}
                      metricsAggregator: {autoscaling: {enabled: false}}
                      evalRunner: {autoscaling: {enabled: false}}
                    """,
            "existingSecret", "secrets: {existingSecret: loupe-prod-secrets}",
            "secrets", TEST_SECRETS_YAML,
            "ingressOn", """
                    services:
                      traceCollector: {ingress: {enabled: true, className: nginx, tlsSecretName: collector-tls}}
                      metricsAggregator: {ingress: {enabled: true}}
                      feedbackService: {ingress: {enabled: true}}
                    """,
            "networkPolicyOff", "networkPolicy: {enabled: false}",
            "monitoringForced", "serviceMonitor: {force: true}\nprometheusRule: {force: true}");

    static Rendered defaults;
    static Rendered withSecrets;

    @BeforeAll
    static void renderDefaults() {
        defaults = render();
        withSecrets = render(TEST_SECRETS_YAML);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "default",
                "timescaledb",
                "strimzi",
                "autoscalingOff",
                "existingSecret",
                "secrets",
                "ingressOn",
                "networkPolicyOff",
                "monitoringForced"
            })
    void lintStrictPassesAndEveryDocumentIsWellFormed(String variation) {
        LintResult lint = ChartFixture.lint(VARIATIONS.get(variation));
        assertThat(lint.isFailed())
                .as("lint --strict %s: %s", variation, lint.getMessages())
                .isFalse();
        assertThat(lint.getMessages()).as(variation).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));

        Rendered r = render(VARIATIONS.get(variation));
        assertThat(r.docs()).isNotEmpty();
        for (JsonNode doc : r.docs()) {
            // the fabric8 Kubernetes model reads every built-in kind as its typed class (a field of the wrong shape
            // fails here); only the CRD kinds (KafkaTopic, ServiceMonitor) stay generic
            Object typed = K8S.unmarshal(doc.toString());
            assertThat(typed)
                    .as("%s %s", doc.path("kind").asText(), Rendered.name(doc))
                    .isInstanceOf(HasMetadata.class);
            HasMetadata object = (HasMetadata) typed;
            assertThat(object.getMetadata().getName()).isEqualTo(Rendered.name(doc));
            if (!CRD_KINDS.contains(object.getKind())) {
                assertThat(object).as("typed %s", object.getKind()).isNotInstanceOf(GenericKubernetesResource.class);
            }
            assertThat(doc.path("apiVersion").asText())
                    .as("apiVersion of %s", Rendered.name(doc))
                    .isNotBlank();
            JsonNode labels = doc.path("metadata").path("labels");
            for (String label : List.of(
                    "app.kubernetes.io/name",
                    "app.kubernetes.io/instance",
                    "app.kubernetes.io/version",
                    "app.kubernetes.io/component",
                    "app.kubernetes.io/part-of",
                    "app.kubernetes.io/managed-by",
                    "helm.sh/chart")) {
                assertThat(labels.path(label).asText())
                        .as("%s %s label %s (%s)", doc.path("kind").asText(), Rendered.name(doc), label, variation)
                        .isNotBlank();
            }
        }
    }

    @Test
    void theSchemaRejectsAnAlertManagerHpaNoReplicasAndUnknownKeys() {
        assertThat(ChartFixture.lint("services: {alertManager: {replicas: 3}}").isFailed())
                .isFalse();
        assertThat(ChartFixture.lint("services: {alertManager: {replicas: 0}}").isFailed())
                .isTrue();
        assertThat(ChartFixture.lint("services: {alertManager: {autoscaling: {enabled: true}}}")
                        .isFailed())
                .isTrue();
        assertThat(ChartFixture.lint("kafka: {bootstrapServer: typo:9092}").isFailed())
                .isTrue();
        assertThat(ChartFixture.lint("postgresql: {jdbcUrl: 'postgresql://no-jdbc-prefix/loupe'}")
                        .isFailed())
                .isTrue();
    }

    @Test
    void oneDeploymentServiceAndConfigMapPerService() {
        for (String component : SERVICES.values()) {
            String name = "loupe-" + component;
            defaults.get("Deployment", name);
            defaults.get("Service", name);
            defaults.get("ConfigMap", name);
        }
        assertThat(defaults.ofKind("Deployment")).hasSize(5);
    }

    @Test
    void probesHitQuarkusHealthOnTheHttpContainerPort() {
        for (JsonNode d : defaults.ofKind("Deployment")) {
            String component = Rendered.component(d);
            JsonNode c = container(d);
            int port = PORTS.get(component);
            assertThat(namedPort(c, "http")).as(component).isEqualTo(port);
            Map<String, String> probes = Map.of(
                    "startupProbe",
                    "/q/health/started",
                    "livenessProbe",
                    "/q/health/live",
                    "readinessProbe",
                    "/q/health/ready");
            probes.forEach((probe, path) -> {
                JsonNode get = c.path(probe).path("httpGet");
                assertThat(get.path("path").asText())
                        .as("%s %s", component, probe)
                        .isEqualTo(path);
                assertThat(resolvePort(c, get.path("port")))
                        .as("%s %s port", component, probe)
                        .isEqualTo(port);
            });
            assertThat(c.path("env").findValuesAsText("name")).isNotEmpty();
            // the ConfigMap sets the same port Quarkus listens on
            JsonNode cm = defaults.get("ConfigMap", Rendered.name(d));
            assertThat(cm.path("data").path("QUARKUS_HTTP_PORT").asText()).isEqualTo(String.valueOf(port));
        }
    }

    @Test
    void requestsAndLimitsArePresent() {
        for (JsonNode d : defaults.ofKind("Deployment")) {
            JsonNode res = container(d).path("resources");
            for (String kind : List.of("requests", "limits")) {
                for (String r : List.of("cpu", "memory")) {
                    assertThat(res.path(kind).path(r).asText())
                            .as("%s %s.%s", Rendered.name(d), kind, r)
                            .isNotBlank();
                }
            }
        }
    }

    @Test
    void podsRunRestricted() {
        for (JsonNode d : defaults.ofKind("Deployment")) {
            JsonNode spec = d.path("spec").path("template").path("spec");
            JsonNode pod = spec.path("securityContext");
            JsonNode sc = container(d).path("securityContext");
            String n = Rendered.name(d);
            assertThat(pod.path("runAsNonRoot").asBoolean()).as(n).isTrue();
            assertThat(sc.path("runAsNonRoot").asBoolean()).as(n).isTrue();
            assertThat(pod.path("runAsUser").asInt()).as(n).isEqualTo(185);
            assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as(n).isTrue();
            assertThat(sc.path("allowPrivilegeEscalation").isBoolean()).as(n).isTrue();
            assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).as(n).isFalse();
            assertThat(texts(sc.path("capabilities").path("drop"))).as(n).containsExactly("ALL");
            assertThat(sc.path("capabilities").has("add")).as(n).isFalse();
            assertThat(sc.path("seccompProfile").path("type").asText()).as(n).isEqualTo("RuntimeDefault");
            assertThat(pod.path("seccompProfile").path("type").asText()).as(n).isEqualTo("RuntimeDefault");
            JsonNode tmp = container(d).path("volumeMounts").get(0);
            assertThat(tmp.path("mountPath").asText()).isEqualTo("/tmp");
            JsonNode vol = spec.path("volumes").get(0);
            assertThat(vol.path("name").asText()).isEqualTo(tmp.path("name").asText());
            assertThat(vol.has("emptyDir")).as(n).isTrue();
        }
    }

    /**
     * Browsers call feedback-service only (pages send feedback with the public key); the collector's ingest key is
     * secret, so no other service may turn Quarkus' CORS filter on, nor does the chart configure it for them.
     */
    @Test
    void onlyFeedbackServiceAnswersBrowsers() throws IOException {
        for (String component : SERVICES.values()) {
            boolean enabled =
                    Files.readAllLines(REPO.resolve(component + "/src/main/resources/application.properties")).stream()
                            .map(String::strip)
                            .anyMatch(line -> line.replace(" ", "")
                                    .matches("(%[a-z-]+\\.)?quarkus\\.http\\.cors(\\.enabled)?=true"));
            assertThat(enabled).as("%s enables CORS", component).isEqualTo(component.equals("feedback-service"));
            Set<String> corsEnv = new TreeSet<>();
            defaults.get("ConfigMap", "loupe-" + component)
                    .path("data")
                    .fieldNames()
                    .forEachRemaining(k -> {
                        if (k.startsWith("QUARKUS_HTTP_CORS")) {
                            corsEnv.add(k);
                        }
                    });
            if (component.equals("feedback-service")) {
                assertThat(corsEnv).containsExactly("QUARKUS_HTTP_CORS_ORIGINS");
            } else {
                assertThat(corsEnv).as(component).isEmpty();
            }
        }
        assertThat(render("services: {feedbackService: {env: {QUARKUS_HTTP_CORS_ORIGINS: 'https://app.example.com'}}}")
                        .get("ConfigMap", "loupe-feedback-service")
                        .path("data")
                        .path("QUARKUS_HTTP_CORS_ORIGINS")
                        .asText())
                .isEqualTo("https://app.example.com");
    }

    @Test
    void noSecretValueReachesAConfigMap() {
        List<String> secretValues = new ArrayList<>();
        JsonNode secrets =
                ChartFixture.YAML.valueToTree(parseYaml(TEST_SECRETS_YAML).path("secrets"));
        secrets.properties().forEach(e -> secretValues.add(e.getValue().asText()));
        assertThat(secretValues).hasSize(9);
        for (JsonNode cm : withSecrets.ofKind("ConfigMap")) {
            String text = cm.toString();
            for (String value : secretValues) {
                assertThat(text).as("ConfigMap %s", Rendered.name(cm)).doesNotContain(value);
            }
        }
        // … and each is in the Secret, and only there
        JsonNode secret = withSecrets.get("Secret", "loupe");
        String decoded = new ArrayList<String>() {
            {
                secret.path("data")
                        .forEach(v -> add(new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8)));
            }
        }.toString();
        assertThat(decoded).contains(secretValues);
        assertThat(secret.path("data").path("KAFKA_SASL_JAAS_CONFIG").isMissingNode())
                .isFalse();
        assertThat(decoded).contains("ScramLoginModule required username=\"kafka-user-SECRET\"");
        for (JsonNode d : withSecrets.ofKind("Deployment")) {
            assertThat(d.toString()).doesNotContain(secretValues);
        }
    }

    @Test
    void withoutGivenSecretsThePepperAndPasswordsAreGeneratedAndTheSecretIsKept() {
        JsonNode secret = defaults.get("Secret", "loupe");
        assertThat(secret.path("metadata")
                        .path("annotations")
                        .path("helm.sh/resource-policy")
                        .asText())
                .isEqualTo("keep");
        for (String key : List.of("LOUPE_TENANCY_PEPPER", "LOUPE_IDENTIFIERS_SECRET", "QUARKUS_DATASOURCE_PASSWORD")) {
            assertThat(Base64.getDecoder().decode(secret.path("data").path(key).asText()))
                    .as(key)
                    .hasSizeGreaterThanOrEqualTo(32);
        }
        assertThat(secret.path("data").has("LOUPE_TENANCY_BOOTSTRAP_TOKEN"))
                .as("no token unless given")
                .isFalse();
    }

    @Test
    void everyEnvironmentVariableIsAConfigurationPropertyOfItsService() throws IOException {
        for (Rendered r : List.of(
                defaults,
                withSecrets,
                render(
                        "timescaledb: {enabled: true}",
                        "postgresql: {sslMode: require, trustAll: true}",
                        "egressAllow: 10.0.0.0/8"))) {
            for (JsonNode d : r.ofKind("Deployment")) {
                String component = Rendered.component(d);
                Set<String> known = knownProperties(component);
                Set<String> env = new TreeSet<>();
                JsonNode c = container(d);
                for (JsonNode from : c.path("envFrom")) {
                    String cmName = from.path("configMapRef").path("name").asText();
                    assertThat(cmName).as(component).isNotBlank();
                    r.get("ConfigMap", cmName).path("data").fieldNames().forEachRemaining(env::add);
                }
                for (JsonNode e : c.path("env")) {
                    env.add(e.path("name").asText());
                }
                assertThat(env)
                        .contains(
                                "KAFKA_BOOTSTRAP_SERVERS",
                                "QUARKUS_DATASOURCE_REACTIVE_URL",
                                "LOUPE_TENANCY_PEPPER",
                                "QUARKUS_DATASOURCE_USERNAME",
                                "QUARKUS_DATASOURCE_PASSWORD");
                for (String name : env) {
                    assertThat(known)
                            .as(
                                    "%s: %s (as %s) is not a property of the service nor a documented setting",
                                    component, name, envToProperty(name))
                            .contains(normalize(envToProperty(name)));
                }
            }
        }
    }

    @Test
    void secretRefsPointAtTheChartSecretOrTheExistingOne() {
        assertThat(secretRefs(defaults)).containsOnly("loupe");
        Rendered existing = render("secrets: {existingSecret: loupe-prod-secrets}");
        assertThat(existing.ofKind("Secret")).isEmpty();
        assertThat(secretRefs(existing)).containsOnly("loupe-prod-secrets");
        Rendered withDb = render("secrets: {existingSecret: loupe-prod-secrets}", "timescaledb: {enabled: true}");
        assertThat(withDb.ofKind("Secret")).isEmpty();
        assertThat(secretRefs(withDb)).containsOnly("loupe-prod-secrets");
        // the keys a Deployment reads exist in the rendered Secret (optional ones may be absent)
        JsonNode secret = withSecrets.get("Secret", "loupe");
        for (JsonNode d : withSecrets.ofKind("Deployment")) {
            for (JsonNode ref : d.findValues("secretKeyRef")) {
                assertThat(secret.path("data").has(ref.path("key").asText()))
                        .as(ref.toString())
                        .isTrue();
            }
        }
    }

    @Test
    void servicePortsMatchContainerPortsAndSelectPods() {
        for (JsonNode s : defaults.ofKind("Service")) {
            // the collector's headless peers Service selects the collector's pods too
            JsonNode d = defaults.get("Deployment", Rendered.name(s).replaceFirst("-peers$", ""));
            JsonNode c = container(d);
            JsonNode port = s.path("spec").path("ports").get(0);
            assertThat(resolvePort(c, port.path("targetPort")))
                    .isEqualTo(port.path("port").asInt());
            assertThat(port.path("port").asInt())
                    .isEqualTo(PORTS.get(Rendered.component(s).replaceFirst("-peers$", "")));
            assertSelects(s.path("spec").path("selector"), d);
        }
    }

    @Test
    void theCollectorServesOtlpGrpcOnItsOwnNamedPortAndProbesStayOnHttp() {
        JsonNode service = defaults.get("Service", "loupe-trace-collector");
        JsonNode grpc = null;
        for (JsonNode p : service.path("spec").path("ports")) {
            if (p.path("name").asText().equals("otlp-grpc")) {
                grpc = p;
            }
        }
        assertThat(grpc).as("Service port otlp-grpc").isNotNull();
        assertThat(grpc.path("port").asInt()).isEqualTo(GRPC_PORT);
        assertThat(grpc.path("appProtocol").asText()).isEqualTo("grpc");
        JsonNode deployment = defaults.get("Deployment", "loupe-trace-collector");
        JsonNode c = container(deployment);
        assertThat(resolvePort(c, grpc.path("targetPort"))).isEqualTo(GRPC_PORT);
        assertThat(defaults.get("ConfigMap", "loupe-trace-collector")
                        .path("data")
                        .path("QUARKUS_GRPC_SERVER_PORT")
                        .asText())
                .isEqualTo(Integer.toString(GRPC_PORT));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(c.path(probe).path("httpGet").path("port").asText())
                    .as(probe)
                    .isEqualTo("http");
        }
        for (JsonNode s : defaults.ofKind("Service")) {
            if (!Rendered.component(s).equals("trace-collector")) {
                assertThat(s.path("spec").path("ports")).as(Rendered.name(s)).hasSize(1);
            }
        }
    }

    @Test
    void hpasTargetTheScalableDeploymentsAndCanBeSwitchedOff() {
        Map<String, JsonNode> hpas =
                defaults.ofKind("HorizontalPodAutoscaler").stream().collect(Collectors.toMap(Rendered::name, h -> h));
        assertThat(hpas.keySet())
                .containsExactlyInAnyOrder("loupe-trace-collector", "loupe-metrics-aggregator", "loupe-eval-runner");
        for (JsonNode h : hpas.values()) {
            assertThat(h.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
            JsonNode ref = h.path("spec").path("scaleTargetRef");
            assertThat(ref.path("kind").asText()).isEqualTo("Deployment");
            JsonNode d = defaults.get("Deployment", ref.path("name").asText());
            assertThat(d.path("spec").has("replicas"))
                    .as("the HPA owns replicas")
                    .isFalse();
            JsonNode spec = h.path("spec");
            assertThat(spec.path("minReplicas").asInt())
                    .isBetween(1, spec.path("maxReplicas").asInt());
            assertThat(spec.path("metrics").get(0).path("resource").path("name").asText())
                    .isEqualTo("cpu");
            assertThat(spec.path("metrics")
                            .get(0)
                            .path("resource")
                            .path("target")
                            .path("averageUtilization")
                            .asInt())
                    .isBetween(50, 90);
        }
        Rendered off = render(VARIATIONS.get("autoscalingOff"));
        assertThat(off.ofKind("HorizontalPodAutoscaler")).isEmpty();
        for (JsonNode d : off.ofKind("Deployment")) {
            assertThat(d.path("spec").path("replicas").asInt())
                    .as(Rendered.name(d))
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void runbookLinksPointAtTheDashboardsRunbooksUnlessGiven() {
        // no public URL: the aggregator's Service, which serves docs/runbooks at /runbooks/
        assertThat(defaults.get("ConfigMap", "loupe-alert-manager")
                        .path("data")
                        .path("LOUPE_ALERTING_RUNBOOK_BASE_URL")
                        .asText())
                .isEqualTo("http://loupe-metrics-aggregator:" + PORTS.get("metrics-aggregator") + "/runbooks");
        assertThat(render("alerting: {externalUrl: 'https://loupe.example.com/'}")
                        .get("ConfigMap", "loupe-alert-manager")
                        .path("data")
                        .path("LOUPE_ALERTING_RUNBOOK_BASE_URL")
                        .asText())
                .isEqualTo("https://loupe.example.com/runbooks");
        assertThat(render(
                                "alerting: {externalUrl: 'https://loupe.example.com', runbookBaseUrl: 'https://wiki.example.com/rb'}")
                        .get("ConfigMap", "loupe-alert-manager")
                        .path("data")
                        .path("LOUPE_ALERTING_RUNBOOK_BASE_URL")
                        .asText())
                .isEqualTo("https://wiki.example.com/rb");
        for (JsonNode cm : defaults.ofKind("ConfigMap")) {
            if (!Rendered.name(cm).equals("loupe-alert-manager")) {
                assertThat(cm.path("data").has("LOUPE_ALERTING_RUNBOOK_BASE_URL"))
                        .as(Rendered.name(cm))
                        .isFalse();
            }
        }
    }

    /**
     * The HA topology by default (issue 25): every service runs at least two replicas (a Deployment's own count, or
     * its HPA's minimum), alert-manager as a rolling Deployment without an HPA (its replicas add availability; one
     * dispatches, by lease), and each service's pods prefer different nodes unless the user gives an affinity.
     */
    @Test
    void everyServiceRunsTwoOrMoreReplicasSpreadOverNodes() {
        for (JsonNode d : defaults.ofKind("Deployment")) {
            String name = Rendered.name(d);
            int replicas = defaults.find("HorizontalPodAutoscaler", name)
                    .map(h -> h.path("spec").path("minReplicas").asInt())
                    .orElseGet(() -> d.path("spec").path("replicas").asInt());
            assertThat(replicas).as("%s replicas", name).isGreaterThanOrEqualTo(2);
            JsonNode preferred = d.path("spec")
                    .path("template")
                    .path("spec")
                    .path("affinity")
                    .path("podAntiAffinity")
                    .path("preferredDuringSchedulingIgnoredDuringExecution");
            assertThat(preferred).as("%s anti-affinity", name).hasSize(1);
            JsonNode term = preferred.get(0).path("podAffinityTerm");
            assertThat(term.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
            assertSelects(term.path("labelSelector").path("matchLabels"), d);
        }
        JsonNode alerts = defaults.get("Deployment", "loupe-alert-manager");
        assertThat(alerts.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(alerts.path("spec").path("strategy").path("type").asText("RollingUpdate"))
                .isEqualTo("RollingUpdate");
        assertThat(defaults.find("HorizontalPodAutoscaler", "loupe-alert-manager"))
                .isEmpty();

        Rendered own = render("affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
                + "{nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [loupe]}]}]}}}");
        for (JsonNode d : own.ofKind("Deployment")) {
            JsonNode affinity = d.path("spec").path("template").path("spec").path("affinity");
            assertThat(affinity.has("podAntiAffinity"))
                    .as("the user's affinity replaces the spread")
                    .isFalse();
            assertThat(affinity.has("nodeAffinity")).isTrue();
        }
        for (JsonNode d : render("spreadReplicas: false").ofKind("Deployment")) {
            assertThat(d.path("spec").path("template").path("spec").has("affinity"))
                    .isFalse();
        }
    }

    @Test
    void pdbsSelectExistingDeployments() {
        assertThat(defaults.ofKind("PodDisruptionBudget")).hasSize(5);
        for (JsonNode pdb : defaults.ofKind("PodDisruptionBudget")) {
            JsonNode d = defaults.get("Deployment", Rendered.name(pdb));
            assertSelects(pdb.path("spec").path("selector").path("matchLabels"), d);
            assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
        }
    }

    @Test
    void networkPoliciesGiveInternetEgressOnlyToEvalRunnerAndAlertManager() {
        List<JsonNode> policies = defaults.ofKind("NetworkPolicy");
        assertThat(policies).hasSize(5);
        Set<String> internet = new HashSet<>();
        for (JsonNode np : policies) {
            JsonNode d = defaults.get("Deployment", Rendered.name(np));
            assertSelects(np.path("spec").path("podSelector").path("matchLabels"), d);
            assertThat(texts(np.path("spec").path("policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
            // ingress only to the http port, and the collector's OTLP/gRPC port
            Set<Integer> ingressPorts = new HashSet<>();
            for (JsonNode rule : np.path("spec").path("ingress")) {
                assertThat(rule.path("ports")).hasSize(1);
                ingressPorts.add(
                        resolvePort(container(d), rule.path("ports").get(0).path("port")));
            }
            assertThat(ingressPorts)
                    .containsExactlyInAnyOrderElementsOf(
                            Rendered.component(np).equals("trace-collector")
                                    ? Set.of(PORTS.get("trace-collector"), GRPC_PORT)
                                    : Set.of(PORTS.get(Rendered.component(np))));
            Set<Integer> egressPorts = new HashSet<>();
            for (JsonNode rule : np.path("spec").path("egress")) {
                assertThat(rule.has("ports") || rule.has("to"))
                        .as("an egress rule allowing everything")
                        .isTrue();
                rule.path("ports").forEach(p -> egressPorts.add(p.path("port").asInt()));
                for (JsonNode to : rule.path("to")) {
                    if (to.path("ipBlock").path("cidr").asText().equals("0.0.0.0/0")) {
                        internet.add(Rendered.component(np));
                        assertThat(texts(to.path("ipBlock").path("except"))).contains("169.254.0.0/16", "10.0.0.0/8");
                    }
                }
            }
            assertThat(egressPorts).as("DNS, Kafka, PostgreSQL").contains(53, 9092, 5432);
        }
        assertThat(internet).containsExactlyInAnyOrder("eval-runner", "alert-manager");
        assertThat(render("networkPolicy: {enabled: false}").ofKind("NetworkPolicy"))
                .isEmpty();
    }

    @Test
    void serviceMonitorOnlyWithTheCrdOrWhenForced() {
        // helm-java 0.0.16 renders with the default capabilities (no --api-versions option): no CRD, no ServiceMonitor
        assertThat(defaults.ofKind("ServiceMonitor")).isEmpty();
        String template = readString(ChartFixture.CHART.resolve("templates/services.yaml"));
        assertThat(template).contains(".Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\"");

        // what a cluster with the Prometheus Operator gets (and `helm template` with force): one per service,
        // selecting exactly that service's Service and scraping its http port on /q/metrics
        Rendered forced = render("serviceMonitor: {force: true, interval: 15s, labels: {release: prometheus}}");
        List<JsonNode> monitors = forced.ofKind("ServiceMonitor");
        assertThat(monitors.stream().map(Rendered::component)).containsExactlyInAnyOrderElementsOf(SERVICES.values());
        for (JsonNode monitor : monitors) {
            assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
            assertThat(monitor.path("metadata").path("labels").path("release").asText())
                    .isEqualTo("prometheus");
            JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
            assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
            assertThat(endpoint.path("interval").asText()).isEqualTo("15s");
            List<JsonNode> selected = forced.ofKind("Service").stream()
                    .filter(service -> selects(
                            monitor.path("spec").path("selector").path("matchLabels"),
                            service.path("metadata").path("labels")))
                    .toList();
            assertThat(selected)
                    .as("Services selected by %s", Rendered.name(monitor))
                    .hasSize(1);
            assertThat(selected.get(0).path("spec").path("ports").findValuesAsText("name"))
                    .contains(endpoint.path("port").asText());
        }
        assertThat(render("serviceMonitor: {enabled: false, force: true}").ofKind("ServiceMonitor"))
                .isEmpty();
    }

    @Test
    void operationalAlertsEachWithAnOwnerAndARunbookOnlyWithTheCrdOrWhenForced() throws IOException {
        assertThat(defaults.ofKind("PrometheusRule")).isEmpty();
        assertThat(readString(ChartFixture.CHART.resolve("templates/prometheusrule.yaml")))
                .contains(".Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\"");

        Rendered forced = render("""
                prometheusRule: {force: true, labels: {release: prometheus}}
                alerting: {externalUrl: https://loupe.example.com}
                """);
        List<JsonNode> prometheusRules = forced.ofKind("PrometheusRule");
        assertThat(prometheusRules).hasSize(1);
        JsonNode prometheusRule = prometheusRules.get(0);
        assertThat(prometheusRule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(prometheusRule
                        .path("metadata")
                        .path("labels")
                        .path("release")
                        .asText())
                .isEqualTo("prometheus");
        Map<String, JsonNode> alerts = new HashMap<>();
        for (JsonNode group : prometheusRule.path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                alerts.put(rule.path("alert").asText(), rule);
            }
        }
        assertThat(alerts).containsOnlyKeys("LoupeDeadLetters", "LoupeConsumerHeldByFault", "LoupePipelineLag");
        assertThat(alerts.get("LoupePipelineLag").path("expr").asText())
                .contains(
                        "max by (namespace, job, group, topic) (loupe_consumer_lag_records{namespace=\"observability\"})")
                .contains("> 10000");
        assertThat(alerts.get("LoupePipelineLag").path("for").asText()).isEqualTo("5m");
        assertThat(alerts.get("LoupeDeadLetters").path("expr").asText())
                .contains("loupe_dead_letters_total{namespace=\"observability\"}")
                .contains("by (namespace, job, topic)");
        assertThat(alerts.get("LoupeConsumerHeldByFault").path("expr").asText())
                .contains("loupe_consumer_held_since_seconds{namespace=\"observability\"}")
                .contains("> 300");
        Set<String> linked = new TreeSet<>();
        for (JsonNode rule : alerts.values()) {
            String alert = rule.path("alert").asText();
            assertThat(rule.path("labels").path("owner").asText()).as(alert).isEqualTo("team-platform");
            assertThat(rule.path("labels").path("severity").asText()).as(alert).isIn("warning", "critical");
            // Prometheus' own templating survives Helm's
            assertThat(rule.path("annotations").path("summary").asText())
                    .as(alert)
                    .contains("{{ $labels.job }}");
            String runbook = rule.path("annotations").path("runbook_url").asText();
            assertThat(runbook).as(alert).startsWith("https://loupe.example.com/runbooks/");
            String file = runbook.substring("https://loupe.example.com/runbooks/".length());
            assertThat(REPO.resolve("docs/runbooks").resolve(file))
                    .as(alert + " links " + file)
                    .isRegularFile();
            linked.add(file);
        }
        try (var files = Files.list(REPO.resolve("docs/runbooks"))) {
            Set<String> operational = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith("loupe-") && f.endsWith(".md"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(operational)
                    .as("one runbook per operational alert (docs/runbooks/loupe-*.md), and no orphan")
                    .isEqualTo(linked);
        }

        // without a public URL, the runbooks the dashboard serves, as for the shipped rules
        JsonNode internal =
                render("prometheusRule: {force: true}").ofKind("PrometheusRule").get(0);
        assertThat(internal.findValuesAsText("runbook_url"))
                .allMatch(url -> url.startsWith("http://loupe-metrics-aggregator:8082/runbooks/loupe-"));
        assertThat(render("prometheusRule: {enabled: false, force: true}").ofKind("PrometheusRule"))
                .isEmpty();
    }

    private static boolean selects(JsonNode matchLabels, JsonNode labels) {
        for (var label : matchLabels.properties()) {
            if (!label.getValue().asText().equals(labels.path(label.getKey()).asText())) {
                return false;
            }
        }
        return matchLabels.size() > 0;
    }

    @Test
    void ingressesOffByDefaultAndOnlyForThePublicServices() {
        assertThat(defaults.ofKind("Ingress")).isEmpty();
        Rendered on = render(VARIATIONS.get("ingressOn"));
        assertThat(on.ofKind("Ingress").stream().map(Rendered::component))
                .containsExactlyInAnyOrder("trace-collector", "metrics-aggregator", "feedback-service");
        for (JsonNode ing : on.ofKind("Ingress")) {
            JsonNode backend = ing.findValue("backend").path("service");
            JsonNode s = on.get("Service", backend.path("name").asText());
            assertThat(backend.path("port").path("name").asText())
                    .isEqualTo(s.path("spec").path("ports").get(0).path("name").asText());
        }
        assertThat(on.get("Ingress", "loupe-trace-collector")
                        .path("spec")
                        .path("ingressClassName")
                        .asText())
                .isEqualTo("nginx");
    }

    @Test
    void inClusterTimescaleDb() {
        Rendered r = render("timescaledb: {enabled: true}");
        JsonNode sts = r.get("StatefulSet", "loupe-timescaledb");
        JsonNode c = sts.path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
        assertThat(c.path("image").asText()).startsWith("timescale/timescaledb:");
        assertThat(sts.path("spec").path("volumeClaimTemplates")).hasSize(1);
        JsonNode pw = c.path("env").findValues("secretKeyRef").stream()
                .filter(ref -> ref.path("key").asText().equals("QUARKUS_DATASOURCE_PASSWORD"))
                .findFirst()
                .orElseThrow();
        assertThat(pw.path("name").asText()).isEqualTo("loupe");
        JsonNode svc = r.get("Service", "loupe-timescaledb");
        assertSelects(svc.path("spec").path("selector"), sts);
        for (JsonNode cm : r.ofKind("ConfigMap")) {
            assertThat(cm.path("data").path("QUARKUS_DATASOURCE_REACTIVE_URL").asText())
                    .isEqualTo("postgresql://loupe-timescaledb:5432/loupe");
            if (cm.path("data").has("QUARKUS_DATASOURCE_JDBC_URL")) {
                assertThat(cm.path("data").path("QUARKUS_DATASOURCE_JDBC_URL").asText())
                        .isEqualTo("jdbc:postgresql://loupe-timescaledb:5432/loupe");
            }
        }
        assertThat(r.find("NetworkPolicy", "loupe-timescaledb")).isPresent();
        assertThat(defaults.ofKind("StatefulSet")).isEmpty();
    }

    /**
     * The services create topics with the chart's per-topic partitions, sized for the most consumers its HPAs allow:
     * the aggregators' span consumers (maxReplicas × 3) and the eval-runners' decision consumers (maxReplicas × 3).
     */
    @Test
    void createdTopicsGetTheChartsPartitionsSizedForTheHpasConsumers() {
        Map<String, Integer> table = new HashMap<>();
        for (JsonNode cm : defaults.ofKind("ConfigMap")) {
            String value = cm.path("data").path("LOUPE_KAFKA_TOPIC_PARTITIONS").asText();
            if (Rendered.name(cm).startsWith("loupe-") && !value.isEmpty()) {
                table.clear();
                for (String entry : value.split(",")) {
                    String[] kv = entry.split("=");
                    table.put(kv[0], Integer.parseInt(kv[1]));
                }
            }
        }
        assertThat(table).hasSize(12);
        int aggregators = defaults.get("HorizontalPodAutoscaler", "loupe-metrics-aggregator")
                .path("spec")
                .path("maxReplicas")
                .asInt();
        int evalRunners = defaults.get("HorizontalPodAutoscaler", "loupe-eval-runner")
                .path("spec")
                .path("maxReplicas")
                .asInt();
        assertThat(table.get("loupe.spans.v1")).isGreaterThanOrEqualTo(aggregators * 3);
        assertThat(table.get("loupe.decisions.v1")).isGreaterThanOrEqualTo(evalRunners * 3);
        assertThat(render("kafka: {strimzi: {topics: {loupe.spans.v1: {partitions: 30, retentionMs: 1}}}}")
                        .get("ConfigMap", "loupe-metrics-aggregator")
                        .path("data")
                        .path("LOUPE_KAFKA_TOPIC_PARTITIONS")
                        .asText())
                .contains("loupe.spans.v1=30");
    }

    /**
     * The collector's per-key rate limit holds across replicas: each replica shares it over the pods a headless
     * Service resolves to, and the chart points the collector at that Service.
     */
    @Test
    void collectorsShareTheRateLimitOverTheReplicasAHeadlessServiceResolves() {
        String peers = defaults.get("ConfigMap", "loupe-trace-collector")
                .path("data")
                .path("LOUPE_COLLECTOR_RATE_LIMIT_PEERS")
                .asText();
        assertThat(peers).isEqualTo("loupe-trace-collector-peers");
        JsonNode service = defaults.get("Service", peers);
        assertThat(service.path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertSelects(service.path("spec").path("selector"), defaults.get("Deployment", "loupe-trace-collector"));
        for (JsonNode cm : defaults.ofKind("ConfigMap")) {
            if (!Rendered.name(cm).equals("loupe-trace-collector")) {
                assertThat(cm.path("data").has("LOUPE_COLLECTOR_RATE_LIMIT_PEERS"))
                        .as(Rendered.name(cm))
                        .isFalse();
            }
        }
    }

    /** The judge's call budget is per replica: the chart divides the cluster-wide ceiling by the most replicas. */
    @Test
    void theJudgeCeilingIsSharedOutOverTheMostEvalRunnersThatMayRun() {
        assertThat(defaults.get("ConfigMap", "loupe-eval-runner")
                        .path("data")
                        .path("LOUPE_JUDGE_MAX_CALLS_PER_MINUTE")
                        .asText())
                .as("240 over an HPA of at most 4")
                .isEqualTo("60");
        assertThat(render(
                                "{services: {evalRunner: {replicas: 3, autoscaling: {enabled: false}}}, judge: {maxCallsPerMinute: 100}}")
                        .get("ConfigMap", "loupe-eval-runner")
                        .path("data")
                        .path("LOUPE_JUDGE_MAX_CALLS_PER_MINUTE")
                        .asText())
                .isEqualTo("33");
        assertThat(render("judge: {maxCallsPerMinute: 2}")
                        .get("ConfigMap", "loupe-eval-runner")
                        .path("data")
                        .path("LOUPE_JUDGE_MAX_CALLS_PER_MINUTE")
                        .asText())
                .as("never 0")
                .isEqualTo("1");
    }

    @Test
    void strimziTopicsReplaceTopicCreation() {
        assertThat(defaults.ofKind("KafkaTopic")).isEmpty();
        for (JsonNode cm : defaults.ofKind("ConfigMap")) {
            assertThat(cm.path("data").path("LOUPE_KAFKA_CREATE_TOPICS").asText())
                    .isEqualTo("true");
        }
        Rendered r = render(VARIATIONS.get("strimzi"));
        Set<String> topics = new TreeSet<>();
        for (JsonNode t : r.ofKind("KafkaTopic")) {
            assertThat(t.path("metadata")
                            .path("labels")
                            .path("strimzi.io/cluster")
                            .asText())
                    .isEqualTo("prod");
            assertThat(t.path("spec").path("partitions").asInt()).isPositive();
            assertThat(Long.parseLong(
                            t.path("spec").path("config").path("retention.ms").asText()))
                    .isPositive();
            topics.add(t.path("spec").path("topicName").asText());
        }
        List<String> expected = new ArrayList<>();
        for (String base : List.of(
                "loupe.spans.v1",
                "loupe.decisions.v1",
                "loupe.feedback.v1",
                "loupe.evals.v1",
                "loupe.metric-windows.v1",
                "loupe.alerts.v1")) {
            expected.add(base);
            expected.add(base + ".dlq");
        }
        assertThat(topics).containsExactlyInAnyOrderElementsOf(expected);
        for (JsonNode cm : r.ofKind("ConfigMap")) {
            assertThat(cm.path("data").path("LOUPE_KAFKA_CREATE_TOPICS").asText())
                    .isEqualTo("false");
        }
    }

    @Test
    void theReadmesMinimalValuesInstallAsDocumented() throws IOException {
        // the first yaml block of k8s/README.md's install section is what a user copies: it must lint and render
        String readme = Files.readString(REPO.resolve("k8s/README.md"));
        int install = readme.indexOf("## Install and upgrade");
        assertThat(install).as("the README's install section").isNotNegative();
        assertThat(readme.substring(install))
                .contains("helm install loupe k8s/loupe")
                .contains("helm upgrade loupe k8s/loupe");
        int start = readme.indexOf("```yaml\n", install);
        String minimal = readme.substring(start + "```yaml\n".length(), readme.indexOf("```", start + 7));
        LintResult lint = ChartFixture.lint(minimal);
        assertThat(lint.isFailed())
                .as("lint of the README's values: %s", lint.getMessages())
                .isFalse();
        Rendered r = render(minimal);
        assertThat(r.ofKind("Deployment")).hasSize(SERVICES.size());
        assertThat(r.ofKind("Secret")).as("existingSecret: no Secret rendered").isEmpty();
        for (JsonNode deployment : r.ofKind("Deployment")) {
            JsonNode container = deployment
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .get(0);
            assertThat(container.path("image").asText())
                    .startsWith("registry.example.com/loupe/")
                    .endsWith(":0.1.0");
            assertThat(container.toString()).contains("loupe-secrets");
        }
    }

    @Test
    void readmeValuesTableListsEveryValueKey() throws IOException {
        // the backticked names in the rows of k8s/README.md's tables
        Set<String> documented = new HashSet<>();
        for (String line : Files.readAllLines(REPO.resolve("k8s/README.md"))) {
            if (line.startsWith("| `")) {
                Matcher m = TOKEN.matcher(
                        line.substring(0, line.indexOf(" | ", 2) < 0 ? line.length() : line.indexOf(" | ", 2)));
                while (m.find()) {
                    documented.add(m.group(1));
                }
            }
        }
        JsonNode values = ChartFixture.YAML.readTree(
                ChartFixture.CHART.resolve("values.yaml").toFile());
        List<String> missing = new ArrayList<>();
        values.fieldNames().forEachRemaining(top -> {
            if (!top.equals("services")
                    && documented.stream().noneMatch(d -> d.equals(top) || d.startsWith(top + "."))) {
                missing.add(top);
            }
        });
        for (String group : List.of("secrets", "image", "kafka")) {
            values.path(group).fieldNames().forEachRemaining(k -> {
                String key = group + "." + k;
                if (documented.stream().noneMatch(d -> d.equals(key) || d.startsWith(key + "."))) {
                    missing.add(group + "." + k);
                }
            });
        }
        values.path("services")
                .properties()
                .forEach(svc -> svc.getValue().fieldNames().forEachRemaining(k -> {
                    if (!documented.contains("services.<name>." + k)) {
                        missing.add("services." + svc.getKey() + "." + k);
                    }
                }));
        assertThat(missing)
                .as("value keys missing from the first column of k8s/README.md's values table")
                .isEmpty();
    }

    @Test
    void everyServiceHasJvmAndNativeDockerfilesRunningAsUser185() {
        for (String component : SERVICES.values()) {
            for (String file : List.of("Dockerfile.jvm", "Dockerfile.native")) {
                String text = readString(REPO.resolve(component + "/src/main/docker/" + file));
                assertThat(text)
                        .as(component + "/" + file)
                        .contains("USER 185")
                        .contains("EXPOSE " + PORTS.get(component));
            }
        }
    }

    // --- helpers --------------------------------------------------------------------------------

    static JsonNode container(JsonNode deployment) {
        JsonNode containers =
                deployment.path("spec").path("template").path("spec").path("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    static int namedPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (name.equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + name);
    }

    static int resolvePort(JsonNode container, JsonNode port) {
        return port.isInt() ? port.asInt() : namedPort(container, port.asText());
    }

    static void assertSelects(JsonNode selector, JsonNode workload) {
        JsonNode podLabels =
                workload.path("spec").path("template").path("metadata").path("labels");
        assertThat(selector.size()).isPositive();
        selector.properties()
                .forEach(e -> assertThat(podLabels.path(e.getKey()).asText())
                        .as("selector %s", e.getKey())
                        .isEqualTo(e.getValue().asText()));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Set<String> secretRefs(Rendered r) {
        Set<String> names = new HashSet<>();
        for (JsonNode d : r.docs()) {
            d.findValues("secretKeyRef")
                    .forEach(ref -> names.add(ref.path("name").asText()));
        }
        return names;
    }

    static JsonNode parseYaml(String yaml) {
        try {
            return ChartFixture.YAML.readTree(yaml);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + p, e);
        }
    }

    /** SmallRye's env mapping read backwards: LOUPE_KAFKA_CREATE_TOPICS → loupe.kafka.create.topics. */
    static String envToProperty(String env) {
        return env.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** Compares property names ignoring the '-' / '.' difference the env mapping erases. */
    static String normalize(String property) {
        return property.toLowerCase(Locale.ROOT).replaceAll("[-._\"]", "");
    }

    /** Documented Quarkus / Kafka client settings the chart sets without the services naming them. */
    static final List<String> DOCUMENTED = List.of(
            "quarkus.http.port",
            "kafka.security.protocol",
            "kafka.sasl.mechanism",
            "kafka.sasl.jaas.config",
            "quarkus.datasource.reactive.postgresql.ssl-mode",
            "quarkus.datasource.reactive.trust-all");

    static final Pattern TOKEN = Pattern.compile("`([^`]+)`");

    /**
     * The service's configuration: the keys of its application.properties (any profile) and the properties
     * documented in its README's and common/README.md's tables (where "`a.b.c` / `d`" names a.b.d too).
     */
    static Set<String> knownProperties(String component) throws IOException {
        Set<String> props = new HashSet<>(DOCUMENTED);
        for (String line : Files.readAllLines(REPO.resolve(component + "/src/main/resources/application.properties"))) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#") || !line.contains("=")) {
                continue;
            }
            String key = line.substring(0, line.indexOf('=')).strip();
            if (key.startsWith("%")) {
                key = key.substring(key.indexOf('.') + 1);
            }
            props.add(key);
        }
        for (String readme : List.of(component + "/README.md", "common/README.md")) {
            for (String line : Files.readAllLines(REPO.resolve(readme))) {
                if (!line.startsWith("|")) {
                    continue;
                }
                String last = null;
                Matcher m = TOKEN.matcher(line);
                while (m.find()) {
                    String t = m.group(1).strip();
                    if (t.matches("(loupe|quarkus|kafka|mp)\\.[a-z0-9.\\-\"]+")) {
                        props.add(t);
                        last = t;
                    } else if (last != null && t.matches("[a-z][a-z0-9\\-]*")) {
                        props.add(last.substring(0, last.lastIndexOf('.') + 1) + t);
                    }
                }
            }
        }
        Map<String, String> out = new HashMap<>();
        props.forEach(p -> out.put(normalize(p), p));
        return out.keySet();
    }
}
