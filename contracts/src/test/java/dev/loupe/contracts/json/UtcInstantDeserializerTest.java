package dev.loupe.contracts.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UtcInstantDeserializerTest {

    @Test
    void readsEveryFractionLengthExactlyAsInstantParse() {
        for (String text : new String[] {
            "2026-11-27T10:00:00Z",
            "2026-11-27T10:00:00.1Z",
            "2026-11-27T10:00:01.250Z",
            "2024-02-29T23:59:59.123456Z",
            "1970-01-01T00:00:00.000000001Z",
            "2026-12-31T23:59:59.999999999Z"
        }) {
            assertThat(UtcInstantDeserializer.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void leavesOtherFormsToTheStandardParser() {
        for (String text : new String[] {
            "2026-11-27T10:00:00+02:00",
            "2026-02-31T10:00:00Z",
            "2026-11-27 10:00:00Z",
            "2026-11-27T10:00:00.Z",
            "2026-11-27T25:00:00Z",
            "x026-11-27T10:00:00Z"
        }) {
            assertThat(UtcInstantDeserializer.parse(text)).as(text).isNull();
        }
        record Holder(Instant at) {}
        assertThat(EventJson.mapper()
                        .convertValue(java.util.Map.of("at", "2026-11-27T12:00:00+02:00"), Holder.class)
                        .at())
                .isEqualTo(Instant.parse("2026-11-27T10:00:00Z"));
    }
}
