package dev.loupe.feedback.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class SendFailureLogFilterTest {
    private final SendFailureLogFilter filter = new SendFailureLogFilter();

    @Test
    void smallRyesPerRecordSendFailuresAreDropped() {
        assertThat(filter.isLoggable(record(
                        "io.smallrye.reactive.messaging.kafka.impl.KafkaSink", "SRMSG18206: Unable to write to Kafka")))
                .isFalse();
        assertThat(filter.isLoggable(
                        record("io.smallrye.reactive.messaging.kafka.impl.KafkaSink", "SRMSG18212: Message nacked")))
                .isFalse();
    }

    @Test
    void otherSmallRyeMessagesPass() {
        assertThat(filter.isLoggable(record(
                        "io.smallrye.reactive.messaging.kafka.impl.KafkaSource", "SRMSG18229: Configured topics")))
                .isTrue();
    }

    @Test
    void ownRecordsAreStillEscaped() {
        LogRecord own = record("dev.loupe.feedback.FeedbackResource", "feedback for %s");
        own.setParameters(new Object[] {"d-1\nFORGED line"});

        assertThat(filter.isLoggable(own)).isTrue();
        assertThat(own.getParameters()).containsExactly("d-1\\nFORGED line");
    }

    /** Quarkus installs one console filter: a second assignment silently replaced the first one. */
    @Test
    void theConsoleFilterIsSetOnceAndIsThisOne() throws IOException {
        List<String> assignments;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            assertThat(in).isNotNull();
            assignments = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(l -> l.matches("(%[\\w-]+\\.)?quarkus\\.log\\.console\\.filter\\s*=.*"))
                    .toList();
        }
        assertThat(assignments).containsExactly("quarkus.log.console.filter=" + SendFailureLogFilter.NAME);
    }

    private static LogRecord record(String logger, String message) {
        LogRecord record = new LogRecord(Level.SEVERE, message);
        record.setLoggerName(logger);
        return record;
    }
}
