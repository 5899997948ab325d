package dev.loupe.testing;

/** One broker per test JVM: started on first use, stopped when the JVM exits. */
public final class SharedKafka {
    private static String bootstrap;

    private SharedKafka() {}

    public static synchronized String bootstrapServers() {
        if (bootstrap == null) {
            String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
            if (external != null && !external.isBlank()) {
                bootstrap = external;
            } else {
                EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-test-broker-stop"));
                bootstrap = broker.bootstrapServers();
            }
        }
        return bootstrap;
    }
}
