package dev.loupe.common.pii;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contracts.json.EventJson;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private static RedactionConfig config(Map<String, String> patterns, String canary) {
        return new RedactionConfig() {
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
                return patterns;
            }

            public Optional<String> canary() {
                return Optional.ofNullable(canary);
            }
        };
    }

    private final Redactor redactor = new Redactor(config(Map.of("employee-id", "EMP-\\d{6}"), "CANARY-123"));

    @Test
    void emailsPhonesCardsIbansAndCustomPatternsAreReplacedAndCounted() {
        RedactionCounts counts = new RedactionCounts();
        String out = redactor.redact(
                "Mail jane.doe+x@example.co.uk or call +44 20 7946 0958; card 4111 1111 1111 1111; "
                        + "IBAN GB82 WEST 1234 5698 7654 32; staff EMP-004211.",
                counts);

        assertThat(out).isEqualTo("Mail [EMAIL] or call [PHONE]; card [CARD]; IBAN [IBAN]; staff [EMPLOYEE-ID].");
        assertThat(counts.asMap())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("email", 1, "phone", 1, "card", 1, "iban", 1, "employee-id", 1));
    }

    @Test
    void numbersThatAreNotPersonalDataSurvive() {
        RedactionCounts counts = new RedactionCounts();
        String text = "Order 4111 1111 1111 1112 placed 2026-11-27 10:00, total 1234.56 USD, ref GB00 XXXX 0000 0000.";
        assertThat(redactor.redact(text, counts)).isEqualTo(text);
        assertThat(counts.asMap()).isEmpty();
    }

    @Test
    void canaryNeverSurvivesAndIsCounted() {
        RedactionCounts counts = new RedactionCounts();
        assertThat(redactor.redact("a CANARY-123 b CANARY-123", counts)).isEqualTo("a [CANARY] b [CANARY]");
        assertThat(counts.asMap()).containsEntry("canary", 2);
    }

    @Test
    void stringsInsideMessageJsonAreRedactedAndKeysKept() throws Exception {
        JsonNode messages = EventJson.mapper()
                .readTree("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"I am bob@example.com\"}]}]");
        RedactionCounts counts = new RedactionCounts();
        JsonNode out = redactor.redact(messages, counts);
        assertThat(out.toString())
                .isEqualTo("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"I am [EMAIL]\"}]}]");
        assertThat(counts.asMap()).containsEntry("email", 1);
    }
}
