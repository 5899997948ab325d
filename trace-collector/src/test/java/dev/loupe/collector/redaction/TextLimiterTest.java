package dev.loupe.collector.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.common.pii.RedactionConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TextLimiterTest {
    private final TextLimiter limiter = new TextLimiter(new RedactionConfig() {
        public int maxTextLength() {
            return 50;
        }

        public boolean emails() {
            return true;
        }

        public boolean phones() {
            return true;
        }

        public boolean cards() {
            return true;
        }

        public boolean ibans() {
            return true;
        }

        public Map<String, String> patterns() {
            return Map.of();
        }

        public Optional<String> canary() {
            return Optional.empty();
        }
    });

    @Test
    void limiterCutsWithoutSplittingASurrogatePair() {
        String text = "x".repeat(49) + "\uD83D\uDE00" + "tail";
        assertThat(limiter.exceeds(text)).isTrue();
        assertThat(limiter.limit(text)).isEqualTo("x".repeat(49));
        assertThat(limiter.limit("short")).isEqualTo("short");
    }
}
