package dev.loupe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProducerSettingsCheckTest {
    private static java.util.List<String> check(Map<String, String> settings) {
        return ProducerSettingsCheck.problems("spans-out", key -> Optional.ofNullable(settings.get(key)));
    }

    @Test
    void safeSettingsPass() {
        assertThat(check(Map.of("acks", "all", "enable.idempotence", "true"))).isEmpty();
        assertThat(check(Map.of("acks", "-1", "max.in.flight.requests.per.connection", "5")))
                .isEmpty();
    }

    @Test
    void everyWeakeningIsNamed() {
        assertThat(check(Map.of("acks", "1"))).singleElement().asString().contains("acks=1");
        assertThat(check(Map.of("enable.idempotence", "false")))
                .singleElement()
                .asString()
                .contains("enable.idempotence");
        assertThat(check(Map.of("retries", "0"))).singleElement().asString().contains("retries=0");
        assertThat(check(Map.of("max.in.flight.requests.per.connection", "10")))
                .singleElement()
                .asString()
                .contains("max.in.flight");
    }
}
