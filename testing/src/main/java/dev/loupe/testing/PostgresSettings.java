package dev.loupe.testing;

/** Where the machine's PostgreSQL is: {@code LOUPE_PG_HOST/PORT/USER/PASSWORD}, defaulting to 127.0.0.1:5432 postgres. */
public record PostgresSettings(String host, int port, String user, String password) {

    public static PostgresSettings fromEnvironment() {
        return new PostgresSettings(
                env("LOUPE_PG_HOST", "127.0.0.1"),
                Integer.parseInt(env("LOUPE_PG_PORT", "5432")),
                env("LOUPE_PG_USER", "postgres"),
                env("LOUPE_PG_PASSWORD", ""));
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
