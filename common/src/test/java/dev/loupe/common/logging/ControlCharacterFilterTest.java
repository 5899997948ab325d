package dev.loupe.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ControlCharacterFilterTest {
    private static final String FORGED = "x\r\n2026-01-01 00:00:00,000 ERROR [dev.loupe.forged] forged "
            + "\u001b[31mred\u001b]8;;http://e.example\u0007";

    @Test
    void argumentsOfLoupeLoggersLoseTheirLineBreaksAndEscapes() {
        LogRecord record = new LogRecord(Level.INFO, "evaluation of %s set: %s, %d");
        record.setLoggerName("dev.loupe.evals.api.FeatureEvaluationResource");
        record.setParameters(new Object[] {FORGED, Map.of("feature", FORGED), 3});

        assertThat(new ControlCharacterFilter().isLoggable(record)).isTrue();

        assertThat(record.getParameters()[0])
                .isEqualTo("x\\r\\n2026-01-01 00:00:00,000 ERROR [dev.loupe.forged] forged "
                        + "\\u001b[31mred\\u001b]8;;http://e.example\\u0007");
        assertThat((String) record.getParameters()[1])
                .doesNotContain("\n", "\r", "\u001b")
                .startsWith("{feature=x\\r\\n");
        assertThat(record.getParameters()[2]).isEqualTo(3);
    }

    @Test
    void aMessageWithoutArgumentsIsEscapedAndOtherLoggersAreLeftAlone() {
        LogRecord own = new LogRecord(Level.SEVERE, FORGED);
        own.setLoggerName("dev.loupe.evals.judge.JudgeClient");
        new ControlCharacterFilter().isLoggable(own);
        assertThat(own.getMessage()).doesNotContain("\n", "\r", "\u001b", "\u0007");

        LogRecord kafka = new LogRecord(Level.INFO, "ProducerConfig values:\n\tacks = -1");
        kafka.setLoggerName("org.apache.kafka.clients.producer.ProducerConfig");
        new ControlCharacterFilter().isLoggable(kafka);
        assertThat(kafka.getMessage()).isEqualTo("ProducerConfig values:\n\tacks = -1");
    }

    @Test
    void plainTextIsReturnedAsItIs() {
        String plain = "feature support-chat\tmodel gpt-4o ünïcode";
        assertThat(ControlCharacterFilter.escape(plain)).isSameAs(plain);
        assertThat(ControlCharacterFilter.escape("a\u2028b\u0085c")).isEqualTo("a\\u2028b\\u0085c");
    }
}
