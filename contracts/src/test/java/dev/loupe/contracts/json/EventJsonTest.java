package dev.loupe.contracts.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contracts.events.FeedbackRecord;
import dev.loupe.contracts.events.FeedbackSignal;
import dev.loupe.contracts.events.MetricWindow;
import dev.loupe.contracts.events.SchemaVersions;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    @Test
    void recordsRoundTripWithIsoTimesAndExplicitNulls() {
        FeedbackRecord record = new FeedbackRecord(
                SchemaVersions.CURRENT,
                "p-1",
                "f-1",
                "d-1",
                FeedbackSignal.EDITED,
                "fixed",
                null,
                null,
                Instant.parse("2026-11-27T10:00:00.5Z"));
        String json = EventJson.encode(record);
        assertThat(json).contains("\"occurredAt\":\"2026-11-27T10:00:00.500Z\"").contains("\"feedbackText\":null");
        assertThat(EventJson.decode(json, FeedbackRecord.class)).isEqualTo(record);
    }

    @Test
    void unknownFieldsAreTolerated() {
        String json = "{\"schemaVersion\":1,\"projectId\":\"p\",\"metric\":\"cost_usd\",\"dimensions\":{},"
                + "\"windowStart\":\"2026-11-27T10:00:00Z\",\"windowEnd\":\"2026-11-27T10:01:00Z\",\"value\":1.5,"
                + "\"sampleSize\":3,\"quantiles\":null,\"revision\":0,\"addedInVersion2\":true}";
        assertThat(EventJson.decode(json, MetricWindow.class).value()).isEqualTo(1.5);
    }

    @Test
    void signalIsReadInAnyCase() {
        String json = "{\"schemaVersion\":1,\"projectId\":\"p\",\"signal\":\"thumbs_down\"}";
        assertThat(EventJson.decode(json, FeedbackRecord.class).signal()).isEqualTo(FeedbackSignal.THUMBS_DOWN);
    }

    @Test
    void unreadableRecordsSayWhy() {
        assertThatThrownBy(() -> EventJson.decode("{nope", FeedbackRecord.class))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("FeedbackRecord");
        assertThatThrownBy(() -> EventJson.decode("{\"schemaVersion\":2,\"projectId\":\"p\"}", FeedbackRecord.class))
                .hasMessageContaining("schemaVersion 2");
        assertThatThrownBy(() -> EventJson.decode("{\"schemaVersion\":1}", FeedbackRecord.class))
                .hasMessageContaining("without projectId");
        assertThatThrownBy(() -> EventJson.decode("", FeedbackRecord.class)).hasMessageContaining("empty");
        assertThatThrownBy(() -> EventJson.decode("null", FeedbackRecord.class))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("JSON null");
    }

    /** A type Jackson cannot build: no creator, as a record class whose reflection data a native image lacks. */
    static final class Unbuildable implements dev.loupe.contracts.events.LoupeEvent {
        private final String projectId;

        private Unbuildable(String projectId, int ignored) {
            this.projectId = projectId + ignored;
        }

        @Override
        public int schemaVersion() {
            return 1;
        }

        @Override
        public String projectId() {
            return projectId;
        }
    }

    @Test
    void aTypeJacksonCannotBuildIsAFaultOfTheBuildNotAnUnreadableRecord() {
        assertThatThrownBy(() -> EventJson.decode("{\"schemaVersion\":1,\"projectId\":\"p\"}", Unbuildable.class))
                .isInstanceOf(IllegalStateException.class)
                .isNotInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("Unbuildable")
                .hasCauseInstanceOf(com.fasterxml.jackson.databind.exc.InvalidDefinitionException.class);
    }
}
