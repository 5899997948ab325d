package dev.loupe.testing.nativeimage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Libraries that have a Quarkus extension may only be on a service's runtime class path together with it. The
 * extension is what makes the library work in a native image (reflection, resources, build-time initialisation,
 * substitutions); the bare library passes every JVM test and then fails in the executable, as bare Caffeine did
 * ({@code IllegalStateException: SSMSW} on every authenticated request). A library added to a service that has an
 * extension goes into {@link #EXTENSION_FOR}; README.md, "Native images", lists the libraries that have none.
 */
public final class ExtensionRules {
    /** Library {@code groupId:artifactId} → the extension that must come with it. */
    public static final Map<String, String> EXTENSION_FOR = Map.ofEntries(
            Map.entry("com.github.ben-manes.caffeine:caffeine", "io.quarkus:quarkus-caffeine"),
            Map.entry("com.fasterxml.jackson.core:jackson-databind", "io.quarkus:quarkus-jackson"),
            Map.entry("org.apache.kafka:kafka-clients", "io.quarkus:quarkus-kafka-client"),
            Map.entry("io.smallrye.reactive:smallrye-reactive-messaging-kafka", "io.quarkus:quarkus-messaging-kafka"),
            Map.entry("io.vertx:vertx-pg-client", "io.quarkus:quarkus-reactive-pg-client"),
            Map.entry("org.postgresql:postgresql", "io.quarkus:quarkus-jdbc-postgresql"),
            Map.entry("org.flywaydb:flyway-core", "io.quarkus:quarkus-flyway"),
            Map.entry("org.hibernate.orm:hibernate-core", "io.quarkus:quarkus-hibernate-orm"),
            Map.entry("org.hibernate.reactive:hibernate-reactive-core", "io.quarkus:quarkus-hibernate-reactive"),
            Map.entry("io.micrometer:micrometer-core", "io.quarkus:quarkus-micrometer"),
            Map.entry(
                    "io.micrometer:micrometer-registry-prometheus-simpleclient",
                    "io.quarkus:quarkus-micrometer-registry-prometheus"),
            Map.entry("io.smallrye:smallrye-health", "io.quarkus:quarkus-smallrye-health"),
            Map.entry("io.smallrye:smallrye-open-api-core", "io.quarkus:quarkus-smallrye-openapi"),
            Map.entry("io.vertx:vertx-mail-client", "io.quarkus:quarkus-mailer"),
            Map.entry("org.eclipse.angus:angus-mail", "io.quarkus:quarkus-mailer"),
            Map.entry("org.quartz-scheduler:quartz", "io.quarkus:quarkus-quartz"),
            Map.entry("io.opentelemetry:opentelemetry-sdk", "io.quarkus:quarkus-opentelemetry"),
            Map.entry("io.grpc:grpc-core", "io.quarkus:quarkus-grpc"),
            Map.entry("org.jboss.resteasy:resteasy-core", "io.quarkus:quarkus-resteasy"),
            Map.entry("org.apache.httpcomponents:httpclient", "io.quarkus:quarkus-apache-httpclient"),
            Map.entry("io.agroal:agroal-pool", "io.quarkus:quarkus-agroal"),
            Map.entry("org.webjars:webjars-locator-core", "io.quarkus:quarkus-webjars-locator"),
            Map.entry("io.vertx:vertx-core", "io.quarkus:quarkus-vertx"));

    private ExtensionRules() {}

    /** "library (needs extension)" for each library on {@code runtime} whose extension is not; empty when none. */
    public static List<String> librariesWithoutTheirExtension(Collection<RuntimeClasspath.Artifact> runtime) {
        Set<String> present =
                runtime.stream().map(RuntimeClasspath.Artifact::key).collect(Collectors.toSet());
        return new TreeMap<>(EXTENSION_FOR)
                .entrySet().stream()
                        .filter(rule -> present.contains(rule.getKey()) && !present.contains(rule.getValue()))
                        .map(rule -> rule.getKey() + " without " + rule.getValue())
                        .toList();
    }
}
