package dev.loupe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.common.http.FieldProblem;
import dev.loupe.contracts.events.SpanKind;
import dev.loupe.contracts.events.SpanRecord;
import dev.loupe.contracts.wire.SpanInput;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fields SpanInput gained for instrumentation libraries: request model, cache writes, tool texts. */
class SpanNewFieldsTest {
    private static final Instant START = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void negativeCacheWriteTokensAreRejectedNamingTheField() {
        assertThat(SpanValidator.firstProblem(span(-1L, "gpt-4o", null, null)))
                .get()
                .extracting(FieldProblem::field)
                .isEqualTo("cacheWriteInputTokens");
        assertThat(SpanValidator.firstProblem(span(0L, "gpt-4o", null, null))).isEmpty();
    }

    @Test
    void requestModelFollowsTheIdentifierRules() {
        assertThat(SpanValidator.firstProblem(span(null, "x".repeat(257), null, null)))
                .get()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("requestModel");
                    assertThat(p.reason()).contains("256");
                });
        assertThat(SpanValidator.firstProblem(span(null, "gpt-4o\tmini", null, null)))
                .get()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("requestModel");
                    assertThat(p.reason()).contains("control characters");
                });
        assertThat(SpanValidator.firstProblem(span(null, "x".repeat(256), null, null)))
                .isEmpty();
    }

    @Test
    void toolTextsAreTruncatedAndRedactedLikeThePrompt() {
        String longResult = "ok ".repeat(20_000); // 60,000 characters; the limit is 32,000
        SpanRecord record = PlainNormalizers.spans()
                .normalize(
                        "p-1",
                        span(
                                null,
                                "gpt-4o",
                                "{\"card\": \"4111 1111 1111 1111\", \"mail\": \"bo@example.org\"}",
                                longResult),
                        START);
        assertThat(record.toolArguments()).isEqualTo("{\"card\": \"[CARD]\", \"mail\": \"[EMAIL]\"}");
        assertThat(record.toolResult()).hasSizeLessThanOrEqualTo(32_000).startsWith("ok ok");
        assertThat(record.redactions()).containsEntry("card", 1).containsEntry("email", 1);
        assertThat(record.requestModel()).isEqualTo("gpt-4o");
    }

    private static SpanInput span(Long cacheWrite, String requestModel, String toolArguments, String toolResult) {
        return new SpanInput(
                "0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331",
                null,
                SpanKind.TOOL,
                "send_mail",
                "openai",
                "gpt-4o-2024-08-06",
                requestModel,
                START,
                START.plusMillis(20),
                null,
                null,
                100L,
                10L,
                null,
                cacheWrite,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "send_mail",
                toolArguments,
                toolResult,
                Map.of(),
                Map.of());
    }
}
