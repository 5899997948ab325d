package dev.loupe.feedback.packaged;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * What an operator must set for the feedback-service to start in production, beyond the database and Kafka that
 * {@code PostgresTestResource} and {@code KafkaTestResource} give: the packaged artifact runs the {@code prod}
 * profile, where no {@code %test.} default applies.
 */
public class PackagedFeedbackSettings implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("loupe.identifiers.secret", "packaged-test-identifier-secret");
    }

    @Override
    public void stop() {
        // nothing was started
    }
}
