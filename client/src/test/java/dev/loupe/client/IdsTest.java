package dev.loupe.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void newIdsHaveTheCollectorsFormatAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String trace = Ids.traceId();
            String span = Ids.spanId();
            assertThat(trace).matches("[0-9a-f]{32}");
            assertThat(span).matches("[0-9a-f]{16}");
            assertThat(Ids.isTraceId(trace)).isTrue();
            assertThat(Ids.isSpanId(span)).isTrue();
            assertThat(seen.add(trace) && seen.add(span)).isTrue();
        }
    }

    @Test
    void checksRefuseWhatTheCollectorRefuses() {
        assertThat(Ids.isTraceId("0".repeat(32))).as("all zero").isFalse();
        assertThat(Ids.isTraceId("4BF92F3577B34DA6A3CE929D0E0E4736"))
                .as("upper case")
                .isFalse();
        assertThat(Ids.isTraceId("4bf92f3577b34da6a3ce929d0e0e473"))
                .as("31 characters")
                .isFalse();
        assertThat(Ids.isSpanId("00f067aa0ba902bg")).as("not hex").isFalse();
        assertThat(Ids.isSpanId(null)).isFalse();
        assertThat(Ids.isSpanId("00f067aa0ba902b7")).isTrue();
    }
}
