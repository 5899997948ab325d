package dev.loupe.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** A database of its own on the machine's PostgreSQL, created for one test run and dropped after it. */
public final class TestDatabase implements AutoCloseable {
    private final PostgresSettings settings;
    private final String name;

    private TestDatabase(PostgresSettings settings, String name) {
        this.settings = settings;
        this.name = name;
    }

    public static TestDatabase create(String purpose) {
        PostgresSettings settings = PostgresSettings.fromEnvironment();
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        String name = "loupe_" + purpose.replaceAll("[^a-z0-9]", "_") + "_"
                + HexFormat.of().formatHex(random);
        try (Connection c = admin(settings);
                Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create test database on " + settings.host() + ":" + settings.port()
                            + " as " + settings.user()
                            + " (is PostgreSQL running? set LOUPE_PG_HOST/PORT/USER/PASSWORD): "
                            + e.getMessage(),
                    e);
        }
        return new TestDatabase(settings, name);
    }

    public String name() {
        return name;
    }

    public PostgresSettings settings() {
        return settings;
    }

    public String jdbcUrl() {
        return settings.jdbcUrl(name);
    }

    public String reactiveUrl() {
        return settings.reactiveUrl(name);
    }

    public Connection connect() throws SQLException {
        return open(jdbcUrl(), settings);
    }

    @Override
    public void close() {
        try (Connection c = admin(settings);
                Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }

    private static Connection admin(PostgresSettings settings) throws SQLException {
        return open(settings.jdbcUrl("postgres"), settings);
    }

    /**
     * Straight through PostgreSQL's driver, not {@code DriverManager}: after a Quarkus test restarts the application
     * (a test profile, other test resources) the driver DriverManager registered belongs to a closed class loader and
     * it answers "No suitable driver".
     */
    private static Connection open(String url, PostgresSettings settings) throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", settings.user());
        properties.setProperty("password", settings.password());
        return new org.postgresql.Driver().connect(url, properties);
    }
}
