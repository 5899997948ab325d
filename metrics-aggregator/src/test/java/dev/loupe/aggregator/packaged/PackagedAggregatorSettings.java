package dev.loupe.aggregator.packaged;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * What an operator sets for the metrics-aggregator in production, beyond the database and Kafka that
 * {@code PostgresTestResource} and {@code KafkaTestResource} give (alert-manager and eval-runner come from
 * {@code FakeDownstream}): the packaged artifact runs the {@code prod} profile, where no {@code %test.} default
 * applies. Window closing and retention keep their shipped schedules.
 */
public class PackagedAggregatorSettings implements QuarkusTestResourceLifecycleManager {
    public static final String BOOTSTRAP_TOKEN = "packaged-test-bootstrap-token";

    @Override
    public Map<String, String> start() {
        return Map.of("loupe.tenancy.bootstrap-token", BOOTSTRAP_TOKEN);
    }

    @Override
    public void stop() {
        // nothing was started
    }
}
