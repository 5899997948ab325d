package dev.loupe.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * What a {@code @QuarkusIntegrationTest} knows of the artifact it launched. It cannot inject the application's config:
 * the application runs in another process (the fast-jar, or the native executable with {@code -Dnative}). Quarkus
 * sets the map each test resource's {@code start()} returned as system properties of the test JVM while the test
 * class runs, and passes the same map to the launched process as its configuration; this class reads them there.
 */
public final class LaunchedArtifact {
    private LaunchedArtifact() {}

    /** A value a test resource handed to the launched artifact, e.g. {@code loupe.test.project-a.secret-key}. */
    public static String config(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not set: is the test resource that provides it on this "
                    + "@QuarkusIntegrationTest (@WithTestResource)?");
        }
        return value;
    }

    /** A project {@link PostgresTestResource} seeded, by its alias ({@code project-a}, {@code project-b}). */
    public static TestProject project(String alias) {
        String prefix = "loupe.test." + alias + ".";
        return new TestProject(
                config(prefix + "id"),
                config(prefix + "secret-key"),
                config(prefix + "public-key"),
                config(prefix + "admin-key"));
    }

    /**
     * A JDBC connection to the database {@link PostgresTestResource} created for the launched artifact, to look at
     * what it stored as an outside observer would.
     */
    public static Connection database() throws SQLException {
        PostgresSettings settings = PostgresSettings.fromEnvironment();
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        properties.setProperty("password", settings.password());
        return new org.postgresql.Driver().connect(config("quarkus.datasource.jdbc.url"), properties);
    }
}
